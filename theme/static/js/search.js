// Mounts Pagefind's search box over the no-JavaScript links in #search.
window.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("search");
  if (!element || typeof PagefindUI === "undefined") return;
  element.innerHTML = "";
  // One index shard per blog, searched together with the site's own index.
  // Paths are made absolute: Pagefind resolves some against its own script.
  function absolute(path) { return new URL(path, document.baseURI).pathname; }
  var shards = (element.dataset.mergeBundles || "").split(" ").filter(Boolean);
  new PagefindUI({
    element: "#search",
    bundlePath: absolute(element.dataset.bundlePath),
    mergeIndex: shards.map(function (path) { return { bundlePath: absolute(path) }; }),
    showSubResults: true,
    showImages: false,
    translations: { placeholder: "Search units, posts and pages" },
  });
});
