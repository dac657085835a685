/* ReDoc for the tfquote gateway: the spec URL comes from the page (data-spec-url).
   Only locally installed fonts are named, so nothing is fetched for typography. */
(function () {
  "use strict";
  var node = document.getElementById("redoc");
  var sans = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
  var mono = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";
  Redoc.init(
    node.getAttribute("data-spec-url"),
    {
      expandResponses: "200,201,202",
      jsonSampleExpandLevel: 3,
      theme: {
        typography: {
          fontFamily: sans,
          headings: { fontFamily: sans },
          code: { fontFamily: mono },
        },
      },
    },
    node
  );
})();
