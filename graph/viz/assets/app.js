/* datareach graph page. Every string from the data is shown with textContent or as a
 * vis-network string title (rendered with innerText): never innerHTML. */
(function () {
  "use strict";
  var started = performance.now();
  var data = JSON.parse(document.getElementById("data").textContent);
  var byId = function (id) { return document.getElementById(id); };
  var state = { dt: "", integ: "", perms: new Set(["read", "write", "delete"]), statuses: new Set(), asOf: "" };
  var dtMatch = {};
  data.filters.dataTypes.forEach(function (d) { dtMatch[d[0]] = new Set(d[2]); });
  data.filters.statuses.forEach(function (s) { state.statuses.add(s[0]); });

  var degree = {};
  data.edges.forEach(function (e) { degree[e.from] = (degree[e.from] || 0) + 1; degree[e.to] = (degree[e.to] || 0) + 1; });
  var nodeById = {};
  data.nodes.forEach(function (n) { nodeById[n.id] = n; });

  /* Partial dates (YYYY, YYYY-MM, YYYY-MM-DD) as the first or last day they can mean,
   * compared as strings: the same rule as graph.questions.reach. */
  function firstDay(d) { return d.length === 4 ? d + "-01-01" : d.length === 7 ? d + "-01" : d; }
  function lastDay(d) { return d.length === 4 ? d + "-12-31" : d.length === 7 ? d + "-31" : d; }

  function edgeVisible(e) {
    if (!state.statuses.has(e.st)) return false;
    if (state.dt !== "" && !e.dts.some(function (t) { return dtMatch[state.dt].has(t); })) return false;
    if (e.perms.length > 0 && !e.perms.some(function (p) { return state.perms.has(p); })) return false;
    if (state.integ !== "" && e.integ !== state.integ) return false;
    if (state.asOf !== "") {
      if (e.vf && firstDay(e.vf) > state.asOf) return false;
      if (e.se && lastDay(e.se) < state.asOf) return false;
    }
    return true;
  }

  var shownNodes = null;
  function computeNodes() {
    var keep = new Set();
    data.edges.forEach(function (e) { if (edgeVisible(e)) { keep.add(e.from); keep.add(e.to); } });
    data.nodes.forEach(function (n) {
      if (!degree[n.id] && (n.k !== "datatype" || state.dt === "" || dtMatch[state.dt].has(n.dt))) keep.add(n.id);
    });
    shownNodes = keep;
  }
  computeNodes();

  /* ---- words: hover titles and the detail panel, all plain text ---- */
  function cut(s, n) { s = String(s); return s.length > n ? s.slice(0, n) + "…" : s; }
  function dtLabel(s) { return data.labels.dt[s] || s; }
  function ikLabel(s) { return data.labels.ik[s] || s; }
  var statusWords = {};
  data.filters.statuses.forEach(function (s) { statusWords[s[0]] = s[1]; });
  function statusWord(s) { return statusWords[s] || s; }
  function yesNo(v) { return v === true ? "yes" : v === false ? "no" : null; }
  function period(e) { return (e.vf || e.se) ? (e.vf || "?") + " – " + (e.se || "…") : "dates unknown"; }
  function ends(e) { return [nodeById[e.from].full, nodeById[e.to].full]; }
  function disputers(e) {
    return (e.ev || []).filter(function (c) { return c.stance === "disputes"; })
      .map(function (c) { return c.claimant || "a source"; });
  }
  function edgeTitle(e) {
    var x = ends(e).map(function (s) { return cut(s, 120); });
    var lines = [x[0] + " → " + x[1]];
    if (e.k === "holding") lines = [x[0] + " holds " + dtLabel(e.dts[0])];
    else if (e.k === "ownership") lines.push(x[1] + " owns " + x[0]);
    else {
      lines.push([e.k, e.integ ? ikLabel(e.integ) : null].filter(Boolean).join(" · "));
      lines.push("permissions: " + (e.perms.length ? e.perms.join(", ") : "none stated"));
      lines.push("data: " + e.dts.map(dtLabel).join(", "));
      lines.push(statusWord(e.st) + " · " + period(e));
    }
    if (e.dashes) lines.push("⚠ disputed by " + cut(disputers(e).join(", "), 200));
    lines.push("(click for the evidence)");
    return lines.join("\n");
  }
  function nodeTitle(n) {
    if (n.k === "datatype") return n.full + "\ndata type\nheld by " + n.holders;
    var lines = [cut(n.full, 200), n.k, n.outdeg + " flows out, " + n.indeg + " in"];
    var held = {};
    (n.holds || []).forEach(function (h) { h.dts.forEach(function (t) { held[dtLabel(t)] = 1; }); });
    if (Object.keys(held).length) lines.push("holds: " + Object.keys(held).sort().join(", "));
    (n.warn || []).forEach(function (w) { lines.push("⚠ " + cut(w, 300)); });
    return lines.join("\n");
  }
  function nodeRows(n) {
    if (n.k === "datatype") {
      return [["Kind", "data type"], ["Broader", (n.broader || []).map(dtLabel).join(", ")], ["IRI", n.iri],
        ["Held by", n.holders + (n.holders === 1 ? " company" : " companies")]];
    }
    return [["Kind", n.k], ["Name", n.full], ["Also known as", (n.aliases || []).join(", ")], ["Note", n.note],
      ["IRI", n.iri], ["Flows", n.outdeg + " out, " + n.indeg + " in"],
      ["Rank", n.score.toFixed(2) + " (PageRank, 1 = highest here)"]];
  }
  function edgeRows(e) {
    var x = ends(e);
    if (e.k === "holding") return [["Fact", "holding (" + e.fact + ")"], ["Holder", x[0]], ["Data type", dtLabel(e.dts[0])]];
    return [["Fact", e.k + " (" + e.fact + ")"], ["Incident", e.lbl], ["From", x[0]], ["To", x[1]],
      ["Integration", e.integ ? ikLabel(e.integ) : null], ["Exploited feature", e.feat ? ikLabel(e.feat) : null],
      ["Data types", e.dts.map(dtLabel).join(", ")], ["Permissions", e.perms.join(", ")],
      ["Whose data", (e.whose || []).join(", ")], ["Status", statusWord(e.st)], ["Valid from", e.vf],
      ["Stated end", e.se], ["Last observed active", e.lo], ["Occurred", e.occ], ["Published", e.pub],
      ["Activation", e.act], ["On by default", yesNo(e.obd)], ["Overrode a privacy setting", yesNo(e.ops)],
      ["Affected", e.aff != null ? Number(e.aff).toLocaleString("en") : null], ["Count", e.cq],
      ["Disputed", e.dashes ? "yes — see the disputing claims below" : null], ["Note", e.note], ["IRI", e.iri]];
  }
  data.nodes.forEach(function (n) { n.title = nodeTitle(n); });
  data.edges.forEach(function (e) { e.title = edgeTitle(e); });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return shownNodes.has(n.id); } });
  var edgeView = new vis.DataView(edges, { filter: edgeVisible });
  var container = byId("graph");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, data.options);
  var timing = { start: started, constructed: performance.now(), firstDraw: null };
  network.once("afterDrawing", function () {
    timing.firstDraw = performance.now();
    document.body.setAttribute("data-drawn", "1");
  });
  /* vis schedules its first draw for the next frame; should it have drawn already, draw once more. */
  requestAnimationFrame(function () { if (timing.firstDraw === null) network.redraw(); });

  function el(tag, text, cls) {
    var x = document.createElement(tag);
    if (text !== undefined && text !== null) x.textContent = String(text);
    if (cls) x.className = cls;
    return x;
  }
  function say(text) { byId("status").textContent = text; }

  /* ---- the detail panel ---- */
  function rowsList(rows) {
    var dl = el("dl");
    rows.forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === "") return;
      dl.appendChild(el("dt", r[0]));
      dl.appendChild(el("dd", r[1]));
    });
    return dl;
  }
  function sourceLine(slug) {
    var src = data.sources[slug] || {};
    var p = el("div");
    var words = [src.publisher, src.title, src.date].filter(function (x) { return x; }).join(" · ");
    p.appendChild(el("span", words || slug));
    if (typeof src.url === "string" && /^https?:\/\//i.test(src.url)) {
      var a = el("a", src.url);
      a.href = src.url;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      p.appendChild(document.createTextNode(" "));
      p.appendChild(a);
    }
    if (src.reports_on) p.appendChild(el("div", "relays: " + src.reports_on, "small"));
    return p;
  }
  function claimBox(c) {
    var disputes = c.stance === "disputes";
    var box = el("div", null, "claim " + (disputes ? "disputes" : "asserts"));
    var head = (disputes ? "Disputes" : "Asserts") + " (" + (c.confidence || "reported") + ")" +
      (c.claimant ? " — claimed by " + c.claimant : "") + (c.aspect ? " — about " + c.aspect : "");
    box.appendChild(el("strong", head));
    box.appendChild(sourceLine(c.source));
    if (c.locator) box.appendChild(el("div", "where: " + c.locator));
    if (c.note) box.appendChild(el("div", c.note));
    return box;
  }
  function evidenceList(body, title, claims) {
    body.appendChild(el("h3", title + " (" + claims.length + ")"));
    claims.forEach(function (c) { body.appendChild(claimBox(c)); });
  }
  function showInfo(item) {
    var body = byId("panel-body");
    body.replaceChildren();
    var isEdge = item.from !== undefined;
    var x = isEdge ? ends(item) : null;
    body.appendChild(el("h2", isEdge ? (item.k === "holding" ? x[0] + " holds " + dtLabel(item.dts[0]) : x[0] + " → " + x[1]) : item.full));
    (item.warn || []).forEach(function (w) { body.appendChild(el("div", "⚠ " + w, "warning")); });
    body.appendChild(rowsList(isEdge ? edgeRows(item) : nodeRows(item)));
    (item.holds || []).forEach(function (h) {
      body.appendChild(el("h3", "Holds: " + h.dts.map(dtLabel).join(", ")));
      if (h.note) body.appendChild(el("div", h.note));
      h.ev.forEach(function (c) { body.appendChild(claimBox(c)); });
    });
    if (isEdge) evidenceList(body, "Evidence", item.ev || []);
  }
  function showReach() {
    if (!data.reach) return;
    var body = byId("panel-body");
    body.replaceChildren();
    body.appendChild(el("h2", "Who could reach " + data.reach.label + (data.reach.as_of ? " as of " + data.reach.as_of : "")));
    body.appendChild(el("p", "Holders are red, reach paths thick; click a name to find it.", "hint"));
    var ol = el("ol", null, "reach");
    data.reach.rows.forEach(function (r) {
      var li = el("li");
      var b = el("button", r.label, "link");
      b.type = "button";
      b.addEventListener("click", function () { focusNode(r.id); });
      li.appendChild(b);
      var notes = [r.holder ? "holder" : r.hops + (r.hops === 1 ? " hop" : " hops")];
      if (r.partial) notes.push("partial");
      if (r.via_incident) notes.push("via an incident");
      if (r.disputed) notes.push("disputed");
      if (r.contested.length) notes.push("contested: " + r.contested.join(", "));
      if (r.undated) notes.push("undated link");
      li.appendChild(document.createTextNode(" — " + notes.join(", ")));
      ol.appendChild(li);
    });
    body.appendChild(ol);
  }

  /* ---- search ---- */
  function fold(s) { return String(s).normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim(); }
  var index = data.nodes.map(function (n) { return { id: n.id, names: n.names.map(fold) }; });
  function findNode(text) {
    var q = fold(text);
    if (q === "") return null;
    var tests = [function (s) { return s === q; }, function (s) { return s.indexOf(q) === 0; },
      function (s) { return s.indexOf(q) >= 0; }];
    for (var i = 0; i < tests.length; i++) {
      for (var j = 0; j < index.length; j++) {
        if (index[j].names.some(tests[i])) return index[j].id;
      }
    }
    return null;
  }
  function focusNode(id) {
    var n = nodeById[id];
    if (!n) return false;
    if (!shownNodes.has(id)) { say("“" + n.label + "” is hidden by the filters; press Reset."); return false; }
    var sel = { nodes: [id], edges: [] };
    if (n.k === "datatype") {
      edgeView.get().forEach(function (e) { if (e.dts.some(function (t) { return dtMatch[n.dt] && dtMatch[n.dt].has(t); })) sel.edges.push(e.id); });
    }
    network.setSelection(sel, { unselectAll: true, highlightEdges: n.k !== "datatype" });
    network.focus(id, { scale: Math.max(network.getScale(), data.large ? 1.0 : 1.2), animation: false });
    showInfo(n);
    say("");
    return true;
  }
  function search(text) {
    var id = findNode(text);
    if (id === null) { say("Nothing called “" + text + "”."); return null; }
    return focusNode(id) ? id : null;
  }
  var names = byId("names");
  data.nodes.forEach(function (n) { var o = el("option"); o.value = n.names[0]; names.appendChild(o); });
  byId("search").addEventListener("keydown", function (ev) { if (ev.key === "Enter") search(this.value); });
  byId("search").addEventListener("change", function () { search(this.value); });
  byId("search-go").addEventListener("click", function () { search(byId("search").value); });

  /* ---- filters ---- */
  function fillSelect(select, options) {
    options.forEach(function (o) { var x = el("option", o[1]); x.value = o[0]; select.appendChild(x); });
  }
  fillSelect(byId("f-datatype"), data.filters.dataTypes);
  fillSelect(byId("f-integration"), data.filters.integrations);
  var statusBox = byId("f-status");
  data.filters.statuses.forEach(function (s) {
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.value = s[0];
    box.checked = true;
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + s[1]));
    statusBox.appendChild(label);
  });
  function readControls() {
    state.dt = byId("f-datatype").value;
    state.integ = byId("f-integration").value;
    state.perms = new Set(Array.prototype.map.call(
      document.querySelectorAll("#f-permissions input:checked"), function (x) { return x.value; }));
    state.statuses = new Set(Array.prototype.map.call(
      document.querySelectorAll("#f-status input:checked"), function (x) { return x.value; }));
    state.asOf = /^\d{4}-\d{2}-\d{2}$/.test(byId("f-asof").value) ? byId("f-asof").value : "";
  }
  function apply() {
    readControls();
    computeNodes();
    nodeView.refresh();
    edgeView.refresh();
    say(nodeView.length + " of " + data.nodes.length + " nodes, " + edgeView.length + " of " + data.edges.length + " links shown");
  }
  ["f-datatype", "f-integration", "f-asof"].forEach(function (id) { byId(id).addEventListener("change", apply); });
  byId("f-asof").addEventListener("input", apply);
  document.querySelectorAll("#f-permissions input, #f-status input").forEach(function (x) { x.addEventListener("change", apply); });
  byId("reset").addEventListener("click", function () {
    byId("f-datatype").value = "";
    byId("f-integration").value = "";
    byId("f-asof").value = "";
    document.querySelectorAll("#controls input[type=checkbox]").forEach(function (x) { x.checked = true; });
    apply();
    say("");
    network.fit({ animation: false });
  });

  network.on("click", function (params) {
    if (params.nodes.length > 0) showInfo(nodeById[params.nodes[0]]);
    else if (params.edges.length > 0) showInfo(edges.get(params.edges[0]));
    else if (data.reach) showReach();
  });

  if (data.reach) showReach();
  if (data.centre && !data.reach) showInfo(nodeById[data.centre]);

  window.datareach = {
    network: network, nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView, timing: timing,
    search: search, focusNode: focusNode, apply: apply,
    showEdge: function (id) { showInfo(edges.get(id)); },
    visible: function () { return { nodes: nodeView.length, edges: edgeView.length }; }
  };
})();
