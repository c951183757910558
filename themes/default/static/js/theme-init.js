/* Runs in <head> before the page paints: applies the remembered colour theme (else the system's). */
(function () {
  var root = document.documentElement;
  root.classList.add("js");
  try {
    var theme = localStorage.getItem("guide-theme");
    if (theme === "light" || theme === "dark") {
      root.setAttribute("data-theme", theme);
    }
  } catch (e) {
    /* Storage may be unavailable (private mode, file:// in some browsers): follow the system. */
  }
})();
