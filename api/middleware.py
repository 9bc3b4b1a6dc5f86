"""
The API's answers to other origins: any site may read (GET, HEAD) without credentials,
so `Access-Control-Allow-Origin: *` and no `Allow-Credentials`; writes carry no such
header, so a browser keeps another site's scripts from reading what they did. Writes
need a token in the Authorization header, which a browser sends cross-origin only
after a preflight this API never grants.
"""

API_PREFIX = "/api/v1/"


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX) and request.method in ("GET", "HEAD"):
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = "Retry-After"
        return response
