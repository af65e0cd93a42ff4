"""Header limits under /api/, answered in the API's JSON shape (431).

The web server answers first for headers beyond its own limits, with its own plain page
(gunicorn: 8,190 bytes a header line and 100 headers; runserver: 65,536 bytes a line and 100
headers). Below them Django would take any size; the API refuses what no client of it needs.
"""

from orders.api.errors import API_PREFIX, error_response

MAX_HEADER_BYTES = 8 * 1024
MAX_HEADERS_BYTES = 32 * 1024


class ApiHeaderLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            sizes = [
                len(name) + len(value)
                for name, value in request.META.items()
                if name.startswith("HTTP_") and isinstance(value, str)
            ]
            if sizes and (max(sizes) > MAX_HEADER_BYTES or sum(sizes) > MAX_HEADERS_BYTES):
                return error_response(
                    "headers_too_large",
                    f"The request headers are too large (at most {MAX_HEADER_BYTES} bytes each "
                    f"and {MAX_HEADERS_BYTES} in all).",
                    431,
                )
        return self.get_response(request)
