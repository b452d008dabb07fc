/* trialgraph viewer: reads the graph embedded as JSON and draws it with Cytoscape.js.
   Every text from the data is set with textContent or as a Cytoscape label (drawn on a
   canvas), never parsed as HTML. */
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("graph-data").textContent);
  var kinds = payload.kinds;
  var colours = payload.colours;
  var shapes = payload.shapes || {};
  var facets = payload.facets || {};
  var hiddenKinds = {};
  // the trial filters: facet -> chosen value ("" for any)
  var filters = {};
  var RESULT_LIMIT = 50;

  document.getElementById("title").textContent = payload.title;

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function safeLink(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  var large = payload.elements.nodes.length > 1500;
  var cy = cytoscape({
    container: document.getElementById("cy"),
    elements: payload.elements,
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: {
        "background-color": "data(colour)", "label": large ? "" : "data(label)",
        "font-size": 8, "text-valign": "bottom", "text-margin-y": 2,
        "width": 14, "height": 14, "color": "#333", "text-max-width": 90, "text-wrap": "ellipsis" } },
      { selector: "node[kind = 'organization']", style: { "border-width": 1, "border-color": "#8a7d00" } },
      { selector: "edge", style: {
        "width": 1, "line-color": "#ccc", "target-arrow-color": "#ccc",
        "target-arrow-shape": "triangle", "arrow-scale": 0.6, "curve-style": large ? "haystack" : "bezier" } },
      { selector: ".match", style: { "border-width": 3, "border-color": "#222" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#000" } },
      { selector: ".hidden", style: { "display": "none" } }
    ].concat(Object.keys(shapes).map(function (kind) {
      // kinds are the exporter's own names, so they are safe in a selector
      return { selector: "node[kind = '" + kind + "']", style: { "shape": shapes[kind] } };
    })),
    layout: large
      ? { name: "concentric", concentric: function (n) { return kinds.length - kinds.indexOf(n.data("kind")); },
          levelWidth: function () { return 1; }, animate: false }
      : { name: "cose", animate: false, randomize: false, nodeRepulsion: function () { return 8000; } }
  });

  function updateStatus() {
    var shown = cy.nodes().not(".hidden").length;
    document.getElementById("status").textContent =
      shown + " of " + cy.nodes().length + " nodes, " + cy.edges().length + " edges";
  }

  // which nodes are shown: those of the kinds not hidden, and, while a trial filter is set,
  // only the trials it keeps and what they connect to (every edge leads away from a trial,
  // or from a product to its target, so that is what their edges reach)
  function keeps(node) {
    return Object.keys(filters).every(function (facet) {
      var wanted = filters[facet];
      if (!wanted) { return true; }
      var value = node.data(facet);
      if (value === undefined || value === null) { return false; }
      return String(value).split("; ").indexOf(wanted) >= 0;
    });
  }
  function applyVisibility() {
    var filtering = Object.keys(filters).some(function (facet) { return !!filters[facet]; });
    var shown = null;
    if (filtering) {
      shown = Object.create(null);
      var trials = cy.nodes().filter(function (n) { return n.data("kind") === "trial" && keeps(n); });
      trials.union(trials.successors().nodes()).forEach(function (n) { shown[n.id()] = true; });
    }
    cy.batch(function () {
      cy.nodes().forEach(function (n) {
        var hide = !!hiddenKinds[n.data("kind")] || (shown !== null && !shown[n.id()]);
        n.toggleClass("hidden", hide);
      });
    });
    updateStatus();
    showFacetLegend();
  }

  // legend: colour by kind, click to hide or show a kind
  var legend = document.getElementById("legend");
  kinds.forEach(function (kind) {
    var count = cy.nodes().filter(function (n) { return n.data("kind") === kind; }).length;
    if (!count) { return; }
    var button = el("button");
    button.type = "button";
    button.setAttribute("aria-pressed", "true");
    button.dataset.kind = kind;
    var swatch = el("span");
    swatch.className = "swatch";
    swatch.style.backgroundColor = colours[kind] || "#999";
    button.appendChild(swatch);
    button.appendChild(el("span", kind + " (" + count + ")"));
    button.addEventListener("click", function () {
      hiddenKinds[kind] = !hiddenKinds[kind];
      button.setAttribute("aria-pressed", hiddenKinds[kind] ? "false" : "true");
      applyVisibility();
    });
    legend.appendChild(button);
  });

  // trials coloured by a facet (phase, status) or, by default, every node by its kind;
  // while trials are coloured by a facet, the other nodes are muted
  var colourBy = document.getElementById("colour-by");
  var facetLegend = document.getElementById("facet-legend");
  function facetColours(facet) {
    var map = Object.create(null);
    ((facets[facet] || {}).colours || []).forEach(function (pair) { map[pair.value] = pair.colour; });
    return map;
  }
  function swatchItem(colour, text) {
    var item = el("li");
    var swatch = el("span");
    swatch.className = "swatch";
    swatch.style.backgroundColor = colour;
    item.appendChild(swatch);
    item.appendChild(el("span", text));
    return item;
  }
  function colourTrials(facet) {
    var byFacet = facet !== "kind" && facets[facet];
    var map = byFacet ? facetColours(facet) : {};
    cy.batch(function () {
      cy.nodes().forEach(function (n) {
        var kind = n.data("kind");
        var colour = colours[kind] || payload.otherColour;
        if (byFacet) {
          colour = kind === "trial" ? map[n.data(facet)] || payload.otherColour : payload.mutedColour;
        }
        n.data("colour", colour);
      });
    });
    showFacetLegend();
  }
  // the legend of the trial colours, counting the trials shown
  function showFacetLegend() {
    var facet = colourBy.value;
    facetLegend.replaceChildren();
    if (facet === "kind" || !facets[facet]) { return; }
    var counts = Object.create(null);
    var missing = 0;
    cy.nodes().forEach(function (n) {
      if (n.data("kind") !== "trial" || n.hasClass("hidden")) { return; }
      var value = n.data(facet);
      if (value === undefined || value === null || value === "") { missing += 1; }
      else { counts[value] = (counts[value] || 0) + 1; }
    });
    facets[facet].colours.forEach(function (pair) {
      if (!counts[pair.value]) { return; }
      var item = swatchItem(pair.colour, pair.value + " (" + counts[pair.value] + ")");
      item.dataset.value = pair.value;
      facetLegend.appendChild(item);
    });
    if (missing) {
      facetLegend.appendChild(swatchItem(payload.otherColour, "no " + facet + " (" + missing + ")"));
    }
  }
  colourBy.addEventListener("change", function () { colourTrials(colourBy.value); });

  // filters: only the trials of a chosen phase and/or status
  Array.prototype.forEach.call(document.querySelectorAll("select[data-facet]"), function (select) {
    var facet = select.dataset.facet;
    filters[facet] = "";
    ((facets[facet] || {}).options || []).forEach(function (value) {
      var option = el("option", value);
      option.value = value;
      select.appendChild(option);
    });
    select.disabled = select.options.length < 2;
    select.addEventListener("change", function () {
      filters[facet] = select.value;
      applyVisibility();
    });
  });

  // details of one node
  var details = document.getElementById("details");
  var FIELDS = ["kind", "curie", "title", "name", "names", "organization_class", "symbol", "code",
                "category", "modality", "target_type", "nct_id", "phase", "status", "study_type",
                "sponsor", "sponsor_class", "start_date", "primary_completion_date",
                "completion_date", "enrollment", "enrollment_type", "countries", "sites"];
  function show(node) {
    details.replaceChildren();
    var data = node.data();
    details.appendChild(el("h2", data.label || data.id));
    var dl = el("dl");
    FIELDS.forEach(function (field) {
      if (data[field] === undefined || data[field] === "") { return; }
      dl.appendChild(el("dt", field));
      dl.appendChild(el("dd", String(data[field])));
    });
    dl.appendChild(el("dt", "id"));
    dl.appendChild(el("dd", data.id));
    details.appendChild(dl);
    var links = el("p");
    [["url", "open record"], ["iri", "IRI"]].forEach(function (pair) {
      var href = safeLink(data[pair[0]]);
      if (!href) { return; }
      var a = el("a", pair[1]);
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      links.appendChild(a);
      links.appendChild(document.createTextNode(" "));
    });
    details.appendChild(links);
    var edges = node.connectedEdges();
    details.appendChild(el("h3", "Connections (" + edges.length + ")"));
    var list = el("ul");
    edges.slice(0, 100).forEach(function (edge) {
      var out = edge.source().id() === node.id();
      var other = out ? edge.target() : edge.source();
      var text = (out ? "" : "\u2190 ") + (edge.data("label") || edge.data("relation")) +
        (out ? " \u2192 " : " ") + (other.data("label") || other.id());
      if (edge.data("role")) { text += " [" + edge.data("role") + "]"; }
      if (edge.data("duration")) { text += " " + edge.data("duration"); }
      var item = el("li", text);
      item.style.cursor = "pointer";
      item.addEventListener("click", function () { select(other); });
      list.appendChild(item);
    });
    details.appendChild(list);
  }

  function select(node) {
    cy.elements(":selected").unselect();
    node.select();
    show(node);
  }

  cy.on("tap", "node", function (event) { select(event.target); });

  // search over label, id, CURIE and title
  var results = document.getElementById("results");
  function search(text) {
    var query = text.trim().toLowerCase();
    cy.nodes().removeClass("match");
    results.replaceChildren();
    if (!query) { return []; }
    var found = cy.nodes().filter(function (n) {
      var d = n.data();
      return [d.label, d.id, d.curie, d.title, d.name, d.names].some(function (v) {
        return typeof v === "string" && v.toLowerCase().indexOf(query) >= 0;
      });
    });
    found.addClass("match");
    found.slice(0, RESULT_LIMIT).forEach(function (n) {
      var item = el("li", (n.data("label") || n.id()) + " \u2014 " + n.data("kind"));
      item.dataset.id = n.id();
      item.addEventListener("click", function () {
        select(n);
        cy.animate({ center: { eles: n }, zoom: Math.max(cy.zoom(), 1.2) }, { duration: 200 });
      });
      results.appendChild(item);
    });
    if (found.length > RESULT_LIMIT) {
      results.appendChild(el("li", "\u2026 and " + (found.length - RESULT_LIMIT) + " more"));
    }
    return found.map(function (n) { return n.id(); });
  }
  document.getElementById("search").addEventListener("input", function (event) {
    search(event.target.value);
  });

  updateStatus();
  window.trialgraphViewer = { cy: cy, search: search, select: select, filters: filters };
})();
