/* The influence map, drawn with Cytoscape from the page's json_script block:
   <div data-graph="ID" data-person-url="/relations/people/0/">. Nodes are people (colour: which
   side they lean to; size: influence; a thick border: a decision maker), edges the relations
   (colour and style by kind, width by strength). A tap on a person opens their profile. */
(function () {
  "use strict";

  var LEAN = { us: "#2e7d32", competitor: "#c62828", neutral: "#8891a4" };
  var KIND = {
    reports_to: { color: "#0172ad", style: "solid", arrow: "triangle" },
    influences: { color: "#e8a400", style: "solid", arrow: "triangle" },
    allies_with: { color: "#2e7d32", style: "dashed", arrow: "none" },
    rivals_with: { color: "#c62828", style: "dotted", arrow: "none" }
  };

  function draw(box) {
    var source = document.getElementById(box.dataset.graph);
    if (!source || !window.cytoscape) return;
    var data = JSON.parse(source.textContent);
    var top = Math.max.apply(null, data.nodes.map(function (n) { return n.score; }).concat([0.0001]));
    var elements = data.nodes.map(function (n) {
      var marks = (n.vip ? " VIP" : "") + (n.kol ? " KOL" : "");
      return {
        data: {
          id: "p" + n.id,
          person: n.id,
          label: n.name + marks,
          title: n.name + " · " + n.client + " · " + (data.leaning[n.leaning] || ""),
          color: LEAN[n.leaning] || LEAN.neutral,
          size: 18 + 42 * (n.score / top),
          border: n.decides ? 5 : 1
        }
      };
    }).concat(data.edges.map(function (e) {
      var k = KIND[e.kind] || KIND.influences;
      return {
        data: {
          id: "r" + e.id,
          source: "p" + e.source,
          target: "p" + e.target,
          label: data.kinds[e.kind] || e.kind,
          color: k.color,
          line: k.style,
          arrow: k.arrow,
          width: 1 + e.strength
        }
      };
    }));
    var cy = cytoscape({
      container: box,
      elements: elements,
      wheelSensitivity: 0.3,
      layout: { name: data.nodes.length > 60 ? "grid" : "cose", animate: false, padding: 20 },
      style: [
        {
          selector: "node",
          style: {
            "background-color": "data(color)",
            width: "data(size)",
            height: "data(size)",
            label: "data(label)",
            "font-size": 10,
            "text-valign": "bottom",
            "text-margin-y": 3,
            "border-width": "data(border)",
            "border-color": "#1b1f24"
          }
        },
        {
          selector: "edge",
          style: {
            width: "data(width)",
            "line-color": "data(color)",
            "line-style": "data(line)",
            "target-arrow-color": "data(color)",
            "target-arrow-shape": "data(arrow)",
            "curve-style": "bezier",
            label: "data(label)",
            "font-size": 8,
            "text-rotation": "autorotate",
            color: "#555"
          }
        }
      ]
    });
    var url = box.dataset.personUrl || "";
    cy.on("tap", "node", function (evt) {
      if (url) window.location.href = url.replace("/0/", "/" + evt.target.data("person") + "/");
    });
  }

  function init() {
    document.querySelectorAll("[data-graph]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
