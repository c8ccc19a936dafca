/* Client-side search over the index that builder/search.py writes to search/.
 *
 * Loads the small manifest, then only the term shards of the query's words
 * and the document chunks of the results it shows. Every word must match
 * (as a whole word or the start of one); title and entity-name matches rank
 * first. Results are put in the page with textContent and attributes only:
 * no text from the index is ever parsed as HTML.
 */
(function () {
  "use strict";
  var form = document.querySelector("form.search-form");
  if (!form || !window.fetch || !("normalize" in String.prototype)) return;
  // The index's folder; a relative build names its index.html (a folder link opens a listing there).
  var base = form.getAttribute("data-index").replace(/[^\/]*$/, "");
  // A relative build opened from file:// may not fetch(): its files come as scripts instead.
  var byScript = form.getAttribute("data-load") === "script";
  var waiting = {};
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  var FIRST_SHOWN = { articles: 20 };
  var ENTITIES_SHOWN = 10;
  var cache = {};
  var serial = 0;
  var timer = null;

  function load(path) {
    if (!cache[path]) {
      cache[path] = byScript ? loadScript(path) : fetch(base + path).then(function (response) {
        if (!response.ok) throw new Error(path + ": " + response.status);
        return response.json();
      });
    }
    return cache[path];
  }

  // search/x.js calls builderSearch("x.json", data) (see builder/search.py).
  window.builderSearch = function (path, data) {
    if (waiting[path]) waiting[path](data);
  };

  function loadScript(path) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      waiting[path] = resolve;
      script.onerror = function () { reject(new Error(path + ": not found")); };
      script.src = base + path.replace(/\.json$/, ".js");
      document.head.appendChild(script);
    });
  }

  function fold(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function queryTerms(text, manifest) {
    var stop = {};
    manifest.stopwords.forEach(function (w) { stop[w] = true; });
    var seen = {};
    return (fold(text).match(/[\p{L}\p{N}]+/gu) || []).filter(function (t) {
      if (t.length < manifest.min_length || stop[t] || seen[t]) return false;
      seen[t] = true;
      return true;
    });
  }

  // Shards that can hold a term or a word starting with it.
  function shardFiles(term, manifest) {
    return Object.keys(manifest.shards).filter(function (key) {
      return key.indexOf(term) === 0 || term.indexOf(key) === 0;
    }).map(function (key) { return "terms/" + manifest.shards[key] + ".json"; });
  }

  // doc id -> [field bits, exact match] for every word equal to or starting with `term`.
  function postings(term, manifest) {
    return Promise.all(shardFiles(term, manifest).map(load)).then(function (shards) {
      var found = new Map();
      shards.forEach(function (shard) {
        Object.keys(shard).forEach(function (word) {
          if (word.indexOf(term) !== 0) return;
          var exact = word === term;
          var gaps = shard[word][0], special = shard[word][1], bits = new Map(), id = 0, i;
          for (i = 0; i < special.length; i += 2) bits.set(special[i], special[i + 1]);
          for (i = 0; i < gaps.length; i++) {
            id += gaps[i];
            var b = bits.has(id) ? bits.get(id) : 1;
            var old = found.get(id);
            found.set(id, old ? [old[0] | b, old[1] || exact] : [b, exact]);
          }
        });
      });
      return found;
    });
  }

  function weight(bits, manifest) {
    return manifest.field_weights.reduce(function (sum, field) {
      return sum + (bits & field[0] ? field[1] : 0);
    }, 0);
  }

  function rank(maps, manifest) {
    if (!maps.length) return [];
    var smallest = maps.reduce(function (a, b) { return a.size <= b.size ? a : b; });
    var scored = [];
    smallest.forEach(function (_, id) {
      var score = 0;
      for (var i = 0; i < maps.length; i++) {
        var hit = maps[i].get(id);
        if (!hit) return;
        score += Math.log(1 + manifest.doc_count / maps[i].size) * weight(hit[0], manifest) * (hit[1] ? 1 : 0.6);
      }
      scored.push([id, score]);
    });
    scored.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    return scored.map(function (s) { return s[0]; });
  }

  function kindOf(id, manifest) {
    for (var i = 0; i < manifest.ranges.length; i++) {
      var r = manifest.ranges[i];
      if (id >= r[1] && id < r[1] + r[2]) return r[0];
    }
    return 0;
  }

  function docs(ids, manifest) {
    var chunks = {};
    ids.forEach(function (id) { chunks[Math.floor(id / manifest.chunk_size)] = true; });
    var numbers = Object.keys(chunks);
    return Promise.all(numbers.map(function (n) { return load("docs/" + n + ".json"); }))
      .then(function (loaded) {
        var byChunk = {};
        numbers.forEach(function (n, i) { byChunk[n] = loaded[i]; });
        return ids.map(function (id) {
          return byChunk[Math.floor(id / manifest.chunk_size)][id % manifest.chunk_size];
        });
      });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"];

  // "2011-02-17" -> "17 February 2011", as the pages write dates (never the browser's locale).
  function humanDate(iso) {
    var parts = iso.split("-");
    if (parts.length !== 3) return iso;
    return Number(parts[2]) + " " + MONTHS[Number(parts[1]) - 1] + " " + parts[0];
  }

  function resultItem(doc) {
    var item = element("li", "search-result");
    var link = element("a", "", doc[2]);
    link.setAttribute("href", doc[1]);
    var title = element("p", "search-result-title");
    title.appendChild(link);
    item.appendChild(title);
    if (doc[3]) {
      var time = element("time", "meta", humanDate(doc[3]));
      time.setAttribute("datetime", doc[3]);
      item.appendChild(time);
    }
    if (doc[4]) item.appendChild(element("p", "summary", doc[4]));
    return item;
  }

  function showGroup(section, list, ids, shown, step, manifest, mine) {
    return docs(ids.slice(shown, shown + step), manifest).then(function (found) {
      if (mine !== serial) return;
      found.forEach(function (doc) { list.appendChild(resultItem(doc)); });
      var old = section.querySelector("button.more");
      if (old) old.remove();
      var next = shown + found.length;
      if (next < ids.length) {
        var more = element("button", "more", "Show more (" + (ids.length - next) + " left)");
        more.type = "button";
        more.addEventListener("click", function () { showGroup(section, list, ids, next, step, manifest, mine); });
        section.appendChild(more);
      }
    });
  }

  function render(ranked, manifest, query, mine) {
    results.textContent = "";
    if (!ranked.length) {
      status.textContent = "Nothing found for \u201c" + query + "\u201d. Try fewer or shorter words.";
      return Promise.resolve();
    }
    status.textContent = ranked.length + " result" + (ranked.length === 1 ? "" : "s") +
      " for \u201c" + query + "\u201d.";
    var groups = manifest.kinds.map(function () { return []; });
    ranked.forEach(function (id) { groups[kindOf(id, manifest)].push(id); });
    var order = groups.map(function (_, i) { return i; });
    order.push(order.shift()); // entities first (few, exact), then articles
    return Promise.all(order.map(function (k) {
      var ids = groups[k];
      if (!ids.length) return null;
      var name = manifest.kinds[k][0];
      var section = element("section", "search-group search-group-" + name);
      var heading = element("h2", "", manifest.kinds[k][1] + " ");
      heading.appendChild(element("span", "count", String(ids.length)));
      section.appendChild(heading);
      var list = element("ol", k === 0 ? "article-list search-list" : "search-list");
      section.appendChild(list);
      results.appendChild(section);
      return showGroup(section, list, ids, 0, FIRST_SHOWN[name] || ENTITIES_SHOWN, manifest, mine);
    }));
  }

  function search(query) {
    var mine = ++serial;
    return load("manifest.json").then(function (manifest) {
      var terms = queryTerms(query, manifest);
      if (!terms.length) {
        results.textContent = "";
        status.textContent = query.trim() ? "Type a longer word." : "";
        return null;
      }
      status.textContent = "Searching\u2026";
      return Promise.all(terms.map(function (t) { return postings(t, manifest); })).then(function (maps) {
        if (mine !== serial) return null;
        return render(rank(maps, manifest), manifest, query, mine);
      });
    }).catch(function (error) {
      if (mine === serial) status.textContent = "Search is unavailable (" + error.message + ").";
    });
  }

  function update() {
    var query = input.value;
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url.toString());
    search(query);
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 200);
  });
  var initial = new URL(window.location.href).searchParams.get("q");
  if (initial) {
    input.value = initial;
    search(initial);
  }
})();
