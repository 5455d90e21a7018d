// The network map: fetch nodes and edges, draw them with Cytoscape.js, filter, click to open.
(function () {
  "use strict";
  var box = document.getElementById("network-map");
  var status = document.getElementById("map-status");
  if (!box) return;
  if (typeof cytoscape === "undefined") {
    status.textContent = "The map library is missing: run make with npm installed.";
    return;
  }
  var stagePalette = ["#2f6b4f", "#c77d14", "#2b5590", "#a23b2a", "#7a5195", "#3d8b8b", "#8a6d3b"];

  fetch(box.dataset.url, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(draw)
    .catch(function () { status.textContent = "The network could not be loaded."; });

  var EDGE_WIDTHS = { strong: 3, active: 2, dormant: 1 };

  function draw(data) {
    var elements = data.nodes.map(function (n) {
      return { data: Object.assign({ label: n.name, stageColour: stagePalette[(n.position || 0) % stagePalette.length] }, n) };
    }).concat(data.edges.map(function (e) {
      return { data: Object.assign({ weight: EDGE_WIDTHS[e.strength] || 1 }, e) };
    }));
    var big = data.nodes.length > 400;
    var cy = cytoscape({
      container: box,
      elements: elements,
      wheelSensitivity: 0.3,
      maxZoom: 2.5,
      textureOnViewport: big,
      hideEdgesOnViewport: big,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", label: big ? "" : "data(label)", "font-size": 9,
          "text-valign": "bottom", "text-margin-y": 3, width: 14, height: 14, color: "#1f2a2e",
          // Long names wrap; labels show only once zoomed in far enough to read them apart.
          "text-wrap": "wrap", "text-max-width": 70, "min-zoomed-font-size": 5 } },
        { selector: "node.by-stage", style: { "background-color": "data(stageColour)" } },
        { selector: "node.found", style: { "border-width": 4, "border-color": "#f2b705", width: 24, height: 24, label: "data(label)", "min-zoomed-font-size": 0 } },
        { selector: "edge", style: { width: "data(weight)", "line-color": "#9aa8a3", "curve-style": "haystack", opacity: 0.7 } },
        { selector: "edge[strength = 'strong']", style: { "line-color": "#2f6b4f" } },
        { selector: "edge[strength = 'dormant']", style: { "line-style": "dashed", opacity: 0.4 } },
        // Derived from an introduction, a kept commitment or a working group, not recorded.
        { selector: "edge[origin != 'recorded']", style: { "line-style": "dotted", "line-color": "#2b5590" } },
        { selector: ".hidden", style: { display: "none" } }
      ],
      layout: big ? { name: "grid", avoidOverlap: true } : { name: "cose", animate: false, nodeRepulsion: 8000, idealEdgeLength: 80, nodeDimensionsIncludeLabels: true }
    });
    window.vccNetwork = cy;
    var plural = function (n, word) { return n + " " + word + (n === 1 ? "" : "s"); };
    status.textContent = plural(data.nodes.length, "partner") + ", " +
      plural(data.edges.length, "relationship") +
      (data.truncated ? " (the first " + data.nodes.length + " partners are shown)" : "") + ".";
    cy.on("tap", "node", function (evt) { window.location.href = "/partners/" + evt.target.id() + "/"; });
    cy.on("mouseover", "node", function (evt) { box.title = evt.target.data("name"); });
    cy.on("mouseover", "edge", function (evt) { var origin = (data.origins || {})[evt.target.data("origin")] || "";
      box.title = evt.target.data("kind") + (origin ? " (" + origin.toLowerCase() + ")" : "") + ": " + evt.target.data("reason"); });

    document.getElementById("colour-by").addEventListener("change", function (e) {
      cy.nodes().toggleClass("by-stage", e.target.value === "stage");
    });
    document.getElementById("strength-filter").addEventListener("change", function (e) {
      var keep = { "": ["strong", "active", "dormant"], strong: ["strong"], active: ["strong", "active"] }[e.target.value];
      cy.edges().forEach(function (edge) { edge.toggleClass("hidden", keep.indexOf(edge.data("strength")) < 0); });
    });
    document.getElementById("map-find").addEventListener("input", function (e) {
      var q = e.target.value.trim().toLowerCase();
      cy.nodes().removeClass("found");
      if (q.length < 2) return;
      var hits = cy.nodes().filter(function (n) { return n.data("name").toLowerCase().indexOf(q) >= 0; });
      hits.addClass("found");
      if (hits.length) cy.animate({ fit: { eles: hits, padding: 80 } }, { duration: 300 });
    });
  }
})();
