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
  /* Folded parties: [id, key, label, in the answer (1/0), held data types (indices)] per group. */
  var memberOf = {};
  var groupMembers = {};
  data.groups.forEach(function (g) {
    groupMembers[g.group] = g.members;
    g.members.forEach(function (m, i) { memberOf[m[0]] = [g.group, i]; });
  });
  var opened = {};  // group id -> how many of its members are drawn

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
    nodes.forEach(function (n) { if (!degree[n.id] || n.k === "group" || n.k === "member") keep.add(n.id); });
    shownNodes = keep;
  }

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
  function disputers(e) { return e.by || []; }  /* each disputing party once (made in Python) */
  function edgeTitle(e) {
    var x = ends(e).map(function (s) { return cut(s, 120); });
    var lines = [x[0] + " → " + x[1]];
    if (e.k === "ownership") lines.push(x[1] + " owns " + x[0]);
    else {
      lines.push([e.k, e.integ ? ikLabel(e.integ) : null].filter(Boolean).join(" · "));
      lines.push("permissions: " + (e.perms.length ? e.perms.join(", ") : "none stated"));
      lines.push("data: " + e.dts.map(dtLabel).join(", "));
      lines.push(statusWord(e.st) + " · " + period(e));
    }
    if (e.dashes) lines.push("⚠ the access itself is disputed by " + cut(disputers(e).join(", "), 200));
    if (e.asp && e.asp.length) lines.push("⚑ contested: " + cut(e.asp.join(", "), 200));
    if (e.cites && e.cites.length) lines.push("sources: " + e.cites.map(function (c) { return "[" + c + "]"; }).join(""));
    lines.push("(click for the evidence)");
    return lines.join("\n");
  }
  function nodeTitle(n) {
    if (n.k === "datatype") return n.full + "\nthe data type asked\nits holders are red (" + n.holders + " drawn)";
    if (n.k === "group") return groupTitle(n);
    if (n.k === "member") return cut(n.full, 200) + "\nfolded party (" + nodeById[n.group].full + ")" + (n.ans ? "\ncould reach the data type asked" : "");
    var lines = [cut(n.full, 200), n.k + (n.holder ? " · holds the data type asked" : ""), n.outdeg + " flows out, " + n.indeg + " in"];
    var held = {};
    (n.holds || []).forEach(function (h) { h.dts.forEach(function (t) { held[dtLabel(t)] = 1; }); });
    if (Object.keys(held).length) lines.push("holds: " + Object.keys(held).sort().join(", "));
    (n.warn || []).forEach(function (w) { lines.push("⚠ " + cut(w, 300)); });
    return lines.join("\n");
  }
  function groupTitle(n) {
    var shown = opened[n.id] || 0;
    return n.full + "\n" + n.count.toLocaleString("en") + " parties folded here (grouped by " + n.gby + ")" +
      (n.reached ? "\n" + n.reached.toLocaleString("en") + " of them could reach the data type asked" : "") +
      (shown < n.count ? "\nclick to open " + Math.min(STEP, n.count - shown).toLocaleString("en") + " more" : "\nall open; click to fold");
  }
  function memberRows(n) {
    return [["Kind", "company (folded into a group)"], ["Name", n.full], ["Group", nodeById[n.group].full],
      ["Holds", (n.t || []).map(function (i) { return dtLabel(data.labels.dtOrder[i]); }).join(", ")],
      ["Could reach", n.ans ? "yes: the data type asked" : null], ["Id", n.key]];
  }
  function nodeRows(n) {
    if (n.k === "member") return memberRows(n);
    if (n.k === "group") return [["Group", n.full], ["Parties", n.count.toLocaleString("en")], ["Grouped by", n.gby],
      ["Could reach", n.reached ? n.reached.toLocaleString("en") : null], ["Drawn", (opened[n.id] || 0).toLocaleString("en")]];
    if (n.k === "datatype") {
      return [["Kind", "data type"], ["Broader", (n.broader || []).map(dtLabel).join(", ")], ["IRI", n.iri],
        ["Held by", n.holders + (n.holders === 1 ? " company" : " companies")]];
    }
    return [["Kind", n.k], ["Name", n.full], ["Also known as", (n.aliases || []).join(", ")], ["Note", n.note],
      ["IRI", n.iri], ["Country", n.country], ["Holds the data type asked", n.holder ? "yes" : null],
      ["Flows", n.outdeg + " out, " + n.indeg + " in"],
      ["Rank", n.score.toFixed(2) + " (PageRank, 1 = highest here)"]];
  }
  function edgeRows(e) {
    var x = ends(e);
    return [["Fact", e.k + " (" + e.fact + ")"], ["Incident", e.lbl], ["From", x[0]], ["To", x[1]],
      ["Integration", e.integ ? ikLabel(e.integ) : null], ["Exploited feature", e.feat ? ikLabel(e.feat) : null],
      ["Data types", e.dts.map(dtLabel).join(", ")], ["Permissions", e.perms.join(", ")],
      ["Whose data", (e.whose || []).join(", ")], ["Status", statusWord(e.st)], ["Valid from", e.vf],
      ["Stated end", e.se], ["Last observed active", e.lo], ["Occurred", e.occ], ["Published", e.pub],
      ["Activation", e.act], ["On by default", yesNo(e.obd)], ["Overrode a privacy setting", yesNo(e.ops)],
      ["Affected", e.aff != null ? Number(e.aff).toLocaleString("en") : null], ["Count", e.cq],
      ["Access disputed by", e.dashes ? disputers(e).join(", ") : null],
      ["Contested", e.asp && e.asp.length ? e.asp.join(", ") : null],
      ["Sources", e.cites && e.cites.length ? e.cites.map(function (c) { return "[" + c + "]"; }).join(" ") : null],
      ["Note", e.note], ["IRI", e.iri]];
  }
  data.nodes.forEach(function (n) { n.title = nodeTitle(n); });
  data.edges.forEach(function (e) { e.title = edgeTitle(e); });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  computeNodes();
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
    body.appendChild(el("h2", isEdge ? x[0] + " → " + x[1] : item.full));
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
    body.appendChild(el("p", "Holders are red, reach paths thick; click a name to find it." +
      (data.groups.length ? " Grey boxes fold the other parties: click one to open it." : ""), "hint"));
    var ol = el("ol", null, "reach");
    data.reach.rows.forEach(function (r) {
      var li = el("li");
      var b = el("button", r.label, "link");
      b.type = "button";
      b.addEventListener("click", function () { if (r.id) { openMember(r.id); focusNode(r.id); } });
      li.appendChild(b);
      var notes = [r.holder ? "holder" : r.hops + (r.hops === 1 ? " hop" : " hops")];
      if (r.partial) notes.push("partial");
      if (r.via_incident) notes.push("via an incident");
      if (r.disputed) notes.push("disputed");
      if (r.contested.length) notes.push("contested: " + r.contested.join(", "));
      if (r.undated) notes.push("undated link");
      if (r.id && memberOf[r.id]) notes.push("in a group");
      li.appendChild(document.createTextNode(" — " + notes.join(", ")));
      ol.appendChild(li);
    });
    body.appendChild(ol);
    citationList(body);
  }
  function citationList(body) {
    if (!data.citations.length) return;
    body.appendChild(el("h3", "Sources"));
    var ol = el("ol", null, "sources");
    data.citations.forEach(function (slug) { var li = el("li"); li.appendChild(sourceLine(slug)); ol.appendChild(li); });
    body.appendChild(ol);
  }

  /* ---- search ---- */
  function fold(s) { return String(s).normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim(); }
  var index = data.nodes.map(function (n) { return { id: n.id, names: n.names.map(fold) }; });
  data.groups.forEach(function (g) { g.members.forEach(function (m) { index.push({ id: m[0], names: [fold(m[2]), m[1]] }); }); });
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
  function findDataType(text) {
    var q = fold(text);
    var hit = data.filters.dataTypes.filter(function (d) { return fold(d[1]) === q || d[0] === q; })[0];
    return hit ? hit[0] : null;
  }
  function focusNode(id) {
    openMember(id);
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
    if (id === null) {
      var dt = findDataType(text);
      if (dt !== null) { byId("f-datatype").value = dt; apply(); say("Showing the links that carry " + dtLabel(dt) + "."); return dt; }
      say("Nothing called “" + text + "”.");
      return null;
    }
    if (!focusNode(id)) return null;
    saveState({ q: text, sel: keyOf(id) });
    return id;
  }
  var names = byId("names");
  data.nodes.forEach(function (n) { var o = el("option"); o.value = n.names[0]; names.appendChild(o); });
  byId("search").addEventListener("keydown", function (ev) { if (ev.key === "Enter") search(this.value); });
  byId("search").addEventListener("change", function () { search(this.value); });
  data.groups.forEach(function (g) { g.members.slice(0, 2000).forEach(function (m) { var o = el("option"); o.value = m[2]; names.appendChild(o); }); });
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
    var asOf = byId("f-asof").value.trim();
    state.asOf = isoDate(asOf) ? asOf : "";
    byId("f-asof").setCustomValidity(asOf === "" || state.asOf !== "" ? "" : "a date as YYYY-MM-DD");
    byId("f-asof").classList.toggle("bad", asOf !== "" && state.asOf === "");
  }
  function isoDate(s) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
    var d = new Date(s + "T00:00:00Z");
    return !isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }
  function apply() {
    readControls();
    computeNodes();
    nodeView.refresh();
    edgeView.refresh();
    say(nodeView.length + " of " + nodes.length + " nodes, " + edgeView.length + " of " + data.edges.length + " links shown");
    saveState(Object.assign({ type: keyOfType(state.dt), asof: state.asOf }, filterState()));
  }
  /* the filter panel as fragment keys: integ, perm and status (left out when they show everything) */
  var PERMS = ["read", "write", "delete"];
  function statusSlug(s) { return String(s).replace(/ /g, "-"); }
  function listed(all, on) {
    var kept = all.filter(function (x) { return on(x); });
    return kept.length === all.length ? "" : kept.length === 0 ? "none" : kept.join(",");
  }
  function filterState() {
    var statuses = data.filters.statuses.map(function (s) { return s[0]; });
    return { integ: state.integ,
      perm: listed(PERMS, function (p) { return state.perms.has(p); }),
      status: listed(statuses.map(statusSlug), function (slug) {
        return statuses.some(function (s) { return statusSlug(s) === slug && state.statuses.has(s); });
      }) };
  }
  function setFilterControls(wanted) {
    var integ = byId("f-integration");
    integ.value = wanted.integ && data.filters.integrations.some(function (i) { return i[0] === wanted.integ; }) ? wanted.integ : "";
    var perms = wanted.perm ? (wanted.perm === "none" ? [] : wanted.perm.split(",")) : PERMS;
    document.querySelectorAll("#f-permissions input").forEach(function (x) { x.checked = perms.indexOf(x.value) >= 0; });
    var statuses = wanted.status ? (wanted.status === "none" ? [] : wanted.status.split(",")) : null;
    document.querySelectorAll("#f-status input").forEach(function (x) {
      x.checked = statuses === null || statuses.indexOf(statusSlug(x.value)) >= 0;
    });
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
    if (params.nodes.length > 0 && nodeById[params.nodes[0]].k === "group") toggleGroup(params.nodes[0]);
    if (params.nodes.length > 0) { showInfo(nodeById[params.nodes[0]]); saveState({ sel: keyOf(params.nodes[0]) }); }
    else if (params.edges.length > 0) showInfo(edges.get(params.edges[0]));
    else if (data.reach) showReach();
  });

  /* ---- groups: folded parties open on demand ---- */
  var STEP = 400;
  function memberNode(g, m) {
    var n = { id: m[0], key: m[1], k: "member", label: m[2], full: m[2], names: [m[2], m[1]], group: g.id, ans: m[3] === 1,
      t: m[4], shape: "dot", size: 9, color: m[3] === 1 ? { background: "#ffc9c9", border: "#c92a2a" } : { background: "#e7f5ff", border: "#74c0fc" },
      font: { size: 12 } };
    n.title = nodeTitle(n);
    return n;
  }
  var blocks = {};
  var nextLeft = data.nodes.reduce(function (m, n) { return Math.max(m, n.x); }, 0) + 300;
  function openGroup(id, upTo) {
    var g = nodeById[id], list = groupMembers[id] || [];
    var from = opened[id] || 0, to = Math.min(list.length, upTo === undefined ? from + STEP : Math.max(upTo, from));
    if (to <= from) return;
    if (!blocks[id]) {  /* each group opens in its own block right of everything drawn, so nothing overlaps */
      var cols0 = Math.min(8, Math.max(2, Math.ceil(Math.sqrt(list.length))));
      blocks[id] = { left: nextLeft, cols: cols0 };
      nextLeft += cols0 * 150 + 250;
    }
    var cols = blocks[id].cols, added = [];
    for (var i = from; i < to; i++) {
      var n = memberNode(g, list[i]);
      n.x = blocks[id].left + (i % cols) * 150;
      n.y = g.y + Math.floor(i / cols) * 45;
      nodeById[n.id] = n;
      added.push(n);
    }
    opened[id] = to;
    nodes.add(added);
    computeNodes();
    nodeView.refresh();
    nodes.update({ id: id, title: groupTitle(g), borderWidth: 3, shapeProperties: { borderDashes: false } });
    network.fit({ nodes: [id].concat(added.slice(0, 60).map(function (x) { return x.id; })), animation: false });
    say(g.full + ": " + to.toLocaleString("en") + " of " + list.length.toLocaleString("en") + " parties open");
  }
  function foldGroup(id) {
    var list = groupMembers[id] || [], shown = opened[id] || 0;
    nodes.remove(list.slice(0, shown).map(function (m) { return m[0]; }));
    list.slice(0, shown).forEach(function (m) { delete nodeById[m[0]]; });
    opened[id] = 0;
    computeNodes();
    nodes.update({ id: id, title: groupTitle(nodeById[id]) });
  }
  function toggleGroup(id) {
    var count = (groupMembers[id] || []).length;
    if ((opened[id] || 0) >= count) foldGroup(id); else openGroup(id);
  }
  function openMember(id) {
    var where = memberOf[id];
    if (where && !nodeById[id]) openGroup(where[0], where[1] + 1);
  }

  /* ---- labels: a large view labels its nearest and most central parties; zoom in for the rest ---- */
  var unlabelled = data.nodes.filter(function (n) { return n.label === "" && n.lab; }).map(function (n) { return n.id; });
  var labelsOn = false;
  network.on("zoom", function () {
    var want = network.getScale() >= 1.2;
    if (want === labelsOn || unlabelled.length === 0) return;
    labelsOn = want;
    nodes.update(unlabelled.map(function (id) { return { id: id, label: want ? nodeById[id].lab : "" }; }));
  });

  /* ---- the page's state in the URL fragment: the format of graph/viz/state.py ---- */
  var KEYS = ["view", "type", "company", "from", "into", "asof", "integ", "perm", "status", "q", "sel"];
  var STATUSES = ["active", "shut-down", "unknown", "incident", "ownership"];
  function inOrder(v, all) {
    if (v === "none") return true;
    var parts = v.split(","), at = -1;
    return parts.every(function (p) { var i = all.indexOf(p); var ok = i > at; at = i; return ok; });
  }
  var VIEWS = ["all", "reach", "chain", "company"];
  var SLUG = /^[a-z0-9][a-z0-9-]{0,200}$/;
  function checkState(key, v) {
    if (key === "view") return VIEWS.indexOf(v) >= 0;
    if (key === "asof") return /^\d{4}(-\d{2}(-\d{2})?)?$/.test(v);
    if (key === "q") return v.length <= 200 && !/[\u0000-\u001f\u007f]/.test(v);
    if (key === "perm") return inOrder(v, PERMS);
    if (key === "status") return inOrder(v, STATUSES);
    return SLUG.test(v);
  }
  function readState(hash) {
    var out = {};
    if (hash.length > 4000) return out;
    var params = new URLSearchParams(hash.replace(/^#/, ""));
    KEYS.forEach(function (k) { var v = params.get(k); if (v !== null && v !== "" && checkState(k, v)) out[k] = v; });
    return out;
  }
  var current = Object.assign({}, data.state);
  function writeHash() {
    var parts = KEYS.filter(function (k) { return current[k]; }).map(function (k) { return k + "=" + encode(current[k]); });
    var hash = parts.length ? "#" + parts.join("&") : "";
    /* the command that draws this view as a static figure; the fragment has no quote to break out of */
    byId("figure-command").textContent = "datareach figure --state '" + (hash || "#view=all") + "'";
    if (location.hash === hash) return;
    try {
      history.replaceState(null, "", hash === "" ? location.pathname + location.search : hash);
    } catch (err) { /* a sandboxed srcdoc frame (a notebook) has no URL of its own to keep */ }
  }
  /* as Python's urllib.parse.quote(value, safe=","): one state, one fragment */
  function encode(v) {
    return encodeURIComponent(v).replace(/%2C/g, ",").replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }
  function saveState(change) {
    Object.keys(change).forEach(function (k) { if (change[k]) current[k] = change[k]; else delete current[k]; });
    writeHash();
  }
  function keyOf(id) { var n = nodeById[id]; return n && n.k !== "group" && n.k !== "datatype" ? n.key : ""; }
  function keyOfType(dt) { return dt || (data.state.type || ""); }
  function idOfKey(key) {
    var hit = data.nodes.filter(function (n) { return n.key === key; })[0];
    if (hit) return hit.id;
    for (var id in memberOf) { var w = memberOf[id]; if (groupMembers[w[0]][w[1]][1] === key) return id; }
    return null;
  }
  function applyState(wanted) {
    /* view, type, from, into (and company, for a company view) are how the page was built; the rest is set here */
    var built = ["view", "type", "from", "into", "company"].filter(function (k) {
      if (!wanted[k] || wanted[k] === data.state[k]) return false;
      return !(k === "type" && data.view === "all" && dtMatch[wanted[k]]) && !(k === "company" && data.view !== "company");
    });
    if (built.length) say("This page was made for another view (" + built.join(", ") + "): run datareach viz with it to draw that view.");
    if (wanted.type && data.view === "all" && dtMatch[wanted.type]) byId("f-datatype").value = wanted.type;
    setFilterControls(wanted);
    if (wanted.asof) byId("f-asof").value = wanted.asof.length === 4 ? wanted.asof + "-01-01" : wanted.asof.length === 7 ? wanted.asof + "-01" : wanted.asof;
    readControls(); computeNodes(); nodeView.refresh(); edgeView.refresh();
    if (wanted.q) byId("search").value = wanted.q;
    var target = wanted.sel || (data.view !== "company" ? wanted.company : null) || null;
    var id = target ? idOfKey(target) : (wanted.q ? findNode(wanted.q) : null);
    if (id !== null) focusNode(id);
    current = Object.assign({}, data.state);
    ["asof", "q", "sel"].forEach(function (k) { if (wanted[k]) current[k] = wanted[k]; });
    var filters = filterState();
    Object.keys(filters).forEach(function (k) { if (filters[k]) current[k] = filters[k]; });
    if (wanted.company && data.view !== "company" && !built.length) current.company = wanted.company;
    if (data.view === "all" && state.dt) current.type = state.dt;
    if (built.length === 0 && !wanted.sel && id !== null && target) current.sel = target;
    writeHash();
  }

  if (data.reach) showReach();
  if (data.centre && !data.reach) showInfo(nodeById[data.centre]);
  applyState(readState(location.hash));
  window.addEventListener("hashchange", function () { applyState(readState(location.hash)); });

  window.datareach = {
    network: network, nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView, timing: timing,
    search: search, focusNode: focusNode, apply: apply, openGroup: openGroup, toggleGroup: toggleGroup,
    state: function () { return Object.assign({}, current); }, readState: readState,
    showEdge: function (id) { showInfo(edges.get(id)); },
    visible: function () { return { nodes: nodeView.length, edges: edgeView.length }; }
  };
})();
