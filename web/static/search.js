/* civicmon: the search page of a static mirror (civicmon export site).
   It searches the index the export wrote beside the pages, loading only
   the files a search needs, with <script> elements (file:// forbids
   fetch). No other page runs a script; nothing loads from other hosts.
   Queries are normalised as package search normalises text: lower case,
   diacritics folded, Cyrillic kept (ё as е). An update must have every
   word, or a word that starts with it; "-word" excludes a word. */
(function () {
  "use strict";
  var box = document.getElementById("mirror-search");
  var me = document.currentScript;
  if (!box || !me) { return; }

  var PAGE = 20;
  var MAX_TOKEN_BYTES = 64;
  var indexBase = new URL("../search-index/", me.src).href;
  var langRoot = new URL(box.getAttribute("data-base"), document.baseURI).href.replace(/index\.html$/, "");
  var lang = document.documentElement.lang || "en";
  var msg = function (name, n) { return (box.getAttribute("data-" + name) || "").replace("%d", n).replace("%s", n); };

  // --- normalisation (a port of search.Normalize) ---
  var SPECIAL = {"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
    "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l", "ı": "i", "þ": "th", "Þ": "th",
    "ħ": "h", "Ħ": "h", "ŧ": "t", "Ŧ": "t", "ſ": "s", "ς": "σ", "ё": "е", "Ё": "е"};
  var MARK = /^[\p{Mn}\p{Me}]$/u;
  var CYRILLIC = /^\p{Script=Cyrillic}$/u;
  var LETTER = /^\p{L}$/u;
  var WORDISH = /^[\p{L}\p{N}\p{Mc}]$/u;
  var ALONE = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u;
  var foldCache = {};

  // fold returns what one character becomes: [kind, text], kind 0 letter,
  // 1 separator, 2 dropped (a combining mark), 3 a token of its own.
  function fold(ch) {
    var f = foldCache[ch];
    if (f) { return f; }
    var c = ch.codePointAt(0);
    if (c < 128) {
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) { f = [0, ch]; }
      else if (c >= 65 && c <= 90) { f = [0, ch.toLowerCase()]; }
      else { f = [1, ""]; }
    } else if (SPECIAL[ch]) {
      f = [0, SPECIAL[ch]];
    } else if (MARK.test(ch)) {
      f = [2, ""];
    } else if (CYRILLIC.test(ch)) {
      f = LETTER.test(ch) ? [0, ch.toLowerCase()] : [1, ""];
    } else {
      var out = "", sep = false, alone = false;
      for (var d of ch.normalize("NFKD")) {
        if (MARK.test(d)) { continue; }
        if (WORDISH.test(d)) {
          if (ALONE.test(d)) { alone = true; }
          d = d.toLowerCase();
          out += SPECIAL[d] || d;
        } else {
          sep = true;
        }
      }
      f = (out === "" || sep) ? [1, ""] : [alone ? 3 : 0, out];
    }
    foldCache[ch] = f;
    return f;
  }

  var encoder = new TextEncoder();
  function bytes(s) { return encoder.encode(s).length; }

  // tokens returns the normalised tokens of s.
  function tokens(s) {
    var out = [], tok = "", n = 0, full = false;
    function flush() {
      if (tok !== "") { out.push(tok); }
      tok = ""; n = 0; full = false;
    }
    function add(text) {
      for (var x of text) {
        var b = bytes(x);
        if (full || n + b > MAX_TOKEN_BYTES) { full = true; return; }
        tok += x; n += b;
      }
    }
    // Composed form first: a Cyrillic letter typed as letter + mark
    // (и + ◌̆) is one letter (й), as in the index.
    for (var ch of s.normalize("NFC")) {
      var f = fold(ch);
      if (f[0] === 1) { flush(); }
      else if (f[0] === 3) { flush(); for (var x of f[1]) { add(x); flush(); } }
      else if (f[0] === 0) { add(f[1]); }
    }
    flush();
    return out;
  }
  window.civicmonNormalize = function (s) { return tokens(s).join(" "); };

  // --- loading index files ---
  var meta = null, docs = {}, terms = {}, keys = {}, loads = {};
  window.civicmonSearch = {
    meta: function (_, m) { meta = m; },
    k: function (block, list) { keys[block] = new Set(list.split(" ")); },
    d: function (shard, list) { docs[shard] = list; },
    t: function (block, key, map) { terms[block + "/" + key] = map; }
  };
  function load(path) {
    if (!loads[path]) {
      loads[path] = new Promise(function (resolve) {
        var s = document.createElement("script");
        s.src = indexBase + path;
        s.onload = function () { resolve(true); };
        s.onerror = function () { resolve(false); };
        document.head.appendChild(s);
      });
    }
    return loads[path];
  }
  function hex(s) {
    var b = encoder.encode(s), h = "";
    for (var i = 0; i < b.length; i++) { h += (b[i] < 16 ? "0" : "") + b[i].toString(16); }
    return h;
  }
  function key(t) { return hex(Array.from(t).slice(0, 2).join("")); }
  function decode(s) {
    var out = [], prev = 0;
    if (s === "") { return out; }
    var parts = s.split(",");
    for (var i = 0; i < parts.length; i++) { prev += parseInt(parts[i], 36); out.push(prev); }
    return out;
  }

  // postings returns the documents of block b with a term that is t, or
  // (for t of two or more characters) starts with t.
  function postings(b, t, prefix) {
    var map = terms[b + "/" + key(t)];
    if (!map) { return []; }
    if (!prefix || Array.from(t).length < 2) { return map[t] ? decode(map[t]) : []; }
    var lists = [];
    for (var term in map) {
      if (term.lastIndexOf(t, 0) === 0) { lists.push(decode(map[term])); }
    }
    if (lists.length === 1) { return lists[0]; }
    var seen = new Set();
    lists.forEach(function (l) { l.forEach(function (d) { seen.add(d); }); });
    return Array.from(seen).sort(function (a, b) { return a - b; });
  }

  // --- searching ---
  var form = box.querySelector("form");
  var input = box.querySelector("input[type=search]");
  var section = box.querySelector(".results");
  var heading = box.querySelector("#results-heading");
  var list = box.querySelector("#results");
  var more = box.querySelector("#more");
  var current = null; // the search in progress

  function parse(q) {
    var must = [], not = [];
    q.split(/\s+/).forEach(function (w) {
      if (w === "" || w === "OR" || w === "AND") { return; }
      var neg = w.charAt(0) === "-";
      tokens(neg ? w.slice(1) : w).forEach(function (t) { (neg ? not : must).push(t); });
    });
    return {must: must, not: not};
  }

  function Search(q) {
    var p = parse(q);
    this.q = q;
    this.must = p.must; this.not = p.not;
    this.block = 0; this.found = []; this.shown = 0;
    this.blocks = meta ? Math.ceil(meta.docs / meta.block) : 0;
  }
  Search.prototype.complete = function () { return this.block >= this.blocks; };
  // fill searches further blocks until n results are found or none are left.
  Search.prototype.fill = function (n) {
    var s = this;
    if (s.found.length >= n || s.complete()) { return Promise.resolve(); }
    var b = s.block++;
    var all = s.must.concat(s.not);
    return load("terms/" + b + "/keys.js").then(function () {
      var have = keys[b] || new Set();
      return Promise.all(all.map(function (t) {
        return have.has(key(t)) ? load("terms/" + b + "/" + key(t) + ".js") : null;
      }));
    }).then(function () {
      var size = meta.block;
      var hits = new Int32Array(size);
      s.must.forEach(function (t, i) {
        postings(b, t, true).forEach(function (d) { if (hits[d] === i) { hits[d] = i + 1; } });
      });
      s.not.forEach(function (t) { postings(b, t, false).forEach(function (d) { hits[d] = -1; }); });
      for (var d = 0; d < size; d++) {
        if (hits[d] === s.must.length && s.must.length > 0) { s.found.push(b * size + d); }
      }
      return s.fill(n);
    });
  };

  function entry(doc) {
    // doc: [slug, title, country code, date, approximate, snippet]
    var li = document.createElement("li"), art = document.createElement("article");
    var h = document.createElement("h3"), a = document.createElement("a");
    a.href = langRoot + "updates/" + doc[0] + ".html";
    a.textContent = doc[1];
    h.appendChild(a);
    art.appendChild(h);
    var p = document.createElement("p");
    p.className = "meta";
    var time = document.createElement("time");
    time.setAttribute("datetime", doc[3]);
    var day = new Date(doc[3] + "T00:00:00Z");
    time.textContent = doc[4] ?
      msg("about", day.toLocaleDateString(lang, {year: "numeric", month: "long", timeZone: "UTC"})) :
      day.toLocaleDateString(lang, {year: "numeric", month: "long", day: "numeric", timeZone: "UTC"});
    p.appendChild(time);
    var c = meta.countries[doc[2]];
    if (c) {
      p.appendChild(document.createTextNode(" · "));
      var ca = document.createElement("a");
      ca.href = langRoot + "countries/" + c[1] + ".html";
      ca.textContent = c[0];
      p.appendChild(ca);
    }
    art.appendChild(p);
    if (doc[5]) {
      var sp = document.createElement("p");
      sp.textContent = doc[5];
      art.appendChild(sp);
    }
    li.appendChild(art);
    return li;
  }

  // show adds the next page of results.
  function show(s) {
    return s.fill(s.shown + PAGE + 1).then(function () {
      var ids = s.found.slice(s.shown, s.shown + PAGE);
      var shards = {};
      ids.forEach(function (id) { shards[Math.floor(id / meta.docShard)] = true; });
      return Promise.all(Object.keys(shards).map(function (n) { return load("docs/" + n + ".js"); })).then(function () {
        if (s !== current) { return; }
        ids.forEach(function (id) {
          var shard = docs[Math.floor(id / meta.docShard)];
          var doc = shard && shard[id % meta.docShard];
          if (doc) { list.appendChild(entry(doc)); }
        });
        s.shown += ids.length;
        var done = s.complete() && s.shown >= s.found.length;
        if (s.found.length === 0) { heading.textContent = msg("none"); }
        else if (s.complete()) { heading.textContent = msg("found", s.found.length); }
        else { heading.textContent = msg("atleast", s.found.length); }
        more.hidden = done;
        section.setAttribute("aria-busy", "false");
        section.setAttribute("data-query", s.q);
      });
    });
  }

  function run(q) {
    list.textContent = "";
    section.removeAttribute("data-query");
    more.hidden = true;
    if (q.trim() === "") { section.hidden = true; current = null; return Promise.resolve(); }
    section.hidden = false;
    section.setAttribute("aria-busy", "true");
    heading.textContent = msg("loading");
    return load("meta.js").then(function (ok) {
      if (!ok || !meta) { heading.textContent = msg("failed"); section.setAttribute("aria-busy", "false"); return; }
      current = new Search(q);
      return show(current);
    });
  }

  function fromHash() {
    var m = /(?:^|&)q=([^&]*)/.exec(location.hash.replace(/^#/, ""));
    var q = m ? decodeURIComponent(m[1].replace(/\+/g, " ")) : "";
    input.value = q;
    return run(q);
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var want = "#q=" + encodeURIComponent(input.value.trim());
    if (location.hash === want) { run(input.value); } else { location.hash = want; }
  });
  more.addEventListener("click", function () {
    if (current) { more.hidden = true; show(current); }
  });
  window.addEventListener("hashchange", fromHash);
  box.querySelector(".js-needed").hidden = true;
  form.hidden = false;
  fromHash();
})();
