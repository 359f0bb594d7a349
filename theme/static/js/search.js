// Mounts Pagefind's search box over the no-JavaScript links in #search.
window.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("search");
  if (!element || typeof PagefindUI === "undefined") return;
  element.innerHTML = "";
  new PagefindUI({
    element: "#search",
    bundlePath: element.dataset.bundlePath,
    showSubResults: true,
    showImages: false,
    translations: { placeholder: "Search units, posts and pages" },
  });
});
