// Search of the benchmark's Hugo site: loads /updates.json and
// lists the updates that have every word. Minimal: the benchmark measures
// the build, not this script.
(function () {
  var root = document.getElementById("mirror-search");
  if (!root) return;
  var form = root.querySelector("form"), results = document.getElementById("results");
  root.querySelector(".js-needed").hidden = true;
  form.hidden = false;
  var index = null;
  function load(done) {
    if (index) return done();
    fetch(root.dataset.index).then(function (r) { return r.json(); }).then(function (j) { index = j; done(); });
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var words = form.q.value.toLowerCase().split(/\s+/).filter(Boolean);
    load(function () {
      results.textContent = "";
      var n = 0;
      index.docs.forEach(function (d) {
        var text = (d[1] + " " + d[5] + " " + d[6]).toLowerCase();
        if (!words.every(function (w) { return text.indexOf(w) >= 0; })) return;
        if (++n > 50) return;
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = root.dataset.base + "updates/" + d[0] + ".html";
        a.textContent = d[1];
        li.appendChild(a);
        results.appendChild(li);
      });
      root.querySelector(".results").hidden = false;
      document.getElementById("results-heading").textContent = root.dataset.found.replace("%d", n);
    });
  });
})();
