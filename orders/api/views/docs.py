"""/api/docs/: Swagger UI from the locally served sidecar assets, under the site's strict CSP.

drf-spectacular's own page has an inline ``<script>`` and ``<style>`` without a nonce, which the
Content-Security-Policy (``script-src 'self' 'nonce-…'``) blocks. This page carries the
request's nonce on both, so the docs work without loosening the policy. It uses Swagger UI's
base layout: the standalone layout's top bar carries a logo whose inline ``<style>`` the policy
would block (and the top bar only offers to explore other URLs).
"""

import json

from django.http import HttpResponse
from django.template import engines
from django.templatetags.static import static
from django.urls import reverse
from django.views import View

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>sopsite API</title>
  <link rel="icon" href="{{ favicon }}">
  <link rel="stylesheet" href="{{ css }}">
  <style nonce="{{ csp_nonce }}">
    html { box-sizing: border-box; overflow-y: scroll; }
    *, *:after, *:before { box-sizing: inherit; }
    body { background: #fafafa; margin: 0; }
  </style>
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{{ bundle }}" nonce="{{ csp_nonce }}"></script>
  <script nonce="{{ csp_nonce }}">
    window.ui = SwaggerUIBundle({
      url: {{ schema_url|safe }},
      dom_id: "#swagger-ui",
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      deepLinking: true,
      persistAuthorization: true,
      requestInterceptor: (request) => {
        const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
        if (match) { request.headers["X-CSRFToken"] = decodeURIComponent(match[1]); }
        return request;
      },
    });
  </script>
</body>
</html>
"""

DIST = "drf_spectacular_sidecar/swagger-ui-dist"


class ApiDocsView(View):
    def get(self, request):
        template = engines["django"].from_string(PAGE)
        context = {
            "favicon": static(f"{DIST}/favicon-32x32.png"),
            "css": static(f"{DIST}/swagger-ui.css"),
            "bundle": static(f"{DIST}/swagger-ui-bundle.js"),
            "schema_url": json.dumps(reverse("api-schema") + "?format=json"),
        }
        return HttpResponse(template.render(context, request))
