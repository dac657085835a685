/* Swagger UI for the tfquote gateway: the spec URL comes from the page (data-spec-url),
   everything else is local. validatorUrl: null keeps Swagger UI from calling its
   public validator. */
window.addEventListener("load", function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.getAttribute("data-spec-url"),
    domNode: node,
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
  });
});
