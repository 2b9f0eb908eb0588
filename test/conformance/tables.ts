// The expectations of the upstream suite (kubernetes-sigs/gateway-api conformance/tests/*.go, v1.6.1):
// each file's http.ExpectedResponse literals in source order, as data (field names as upstream).
// Indexed by upstream file; a case picks its tables by position.
import type { ExpectedResponse } from './http';

export const TABLES: Record<string, Array<ExpectedResponse | ExpectedResponse[]>> = {
 "gateway-http-listener-isolation": [
  [
   {
    "Request": {
     "Host": "bar.com",
     "Path": "/empty-hostname"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "bar.com",
     "Path": "/wildcard-example-com"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Host": "bar.com",
     "Path": "/wildcard-foo-example-com"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Host": "bar.com",
     "Path": "/abc-foo-example-com"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Host": "bar.example.com",
     "Path": "/empty-hostname"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Host": "bar.example.com",
     "Path": "/wildcard-example-com"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "bar.example.com",
     "Path": "/wildcard-foo-example-com"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Host": "bar.example.com",
     "Path": "/abc-foo-example-com"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Host": "bar.foo.example.com",
     "Path": "/empty-hostname"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Host": "bar.foo.example.com",
     "Path": "/wildcard-example-com"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Host": "bar.foo.example.com",
     "Path": "/wildcard-foo-example-com"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "bar.foo.example.com",
     "Path": "/abc-foo-example-com"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Host": "abc.foo.example.com",
     "Path": "/empty-hostname"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Host": "abc.foo.example.com",
     "Path": "/wildcard-example-com"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Host": "abc.foo.example.com",
     "Path": "/wildcard-foo-example-com"
    },
    "Response": {
     "StatusCode": 404
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "abc.foo.example.com",
     "Path": "/abc-foo-example-com"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "gateway-invalid-default-frontend-client-certificate-validation": [
  {
   "Request": {
    "Host": "example.org",
    "Path": "/"
   },
   "Response": {
    "StatusCode": 200
   },
   "Backend": "infra-backend-v1",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "example.org",
    "Path": "/"
   },
   "Namespace": "gateway-conformance-infra"
  }
 ],
 "gateway-with-clientcertificate-validation-insecure-fallback": [
  {
   "Request": {
    "Host": "example.org",
    "Path": "/"
   },
   "Response": {
    "StatusCode": 200
   },
   "Backend": "infra-backend-v1",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "second-example.org",
    "Path": "/"
   },
   "Response": {
    "StatusCode": 200
   },
   "Backend": "infra-backend-v2",
   "Namespace": "gateway-conformance-infra"
  }
 ],
 "gateway-with-clientcertificate-validation": [
  {
   "Request": {
    "Host": "example.org",
    "Path": "/"
   },
   "Response": {
    "StatusCode": 200
   },
   "Backend": "infra-backend-v1",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "example.org",
    "Path": "/"
   },
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "second-example.org",
    "Path": "/"
   },
   "Response": {
    "StatusCode": 200
   },
   "Backend": "infra-backend-v2",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "second-example.org",
    "Path": "/"
   },
   "Namespace": "gateway-conformance-infra"
  }
 ],
 "httproute-303-redirect": [
  [
   {
    "Request": {
     "Path": "/see-other",
     "UnfollowRedirect": true,
     "Method": "POST"
    },
    "Response": {
     "StatusCode": 303
    },
    "RedirectRequest": {
     "Path": "/see-other"
    },
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-307-redirect": [
  [
   {
    "Request": {
     "Path": "/temporary",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 307
    },
    "RedirectRequest": {
     "Path": "/temporary"
    },
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-308-redirect": [
  [
   {
    "Request": {
     "Path": "/permanent",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 308
    },
    "RedirectRequest": {
     "Path": "/permanent"
    },
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-cors": [
  [
   {
    "TestCaseName": "CORS preflight request from an exact matching origin should be allowed",
    "Request": {
     "Path": "/cors-1",
     "Method": "OPTIONS",
     "Headers": {
      "Origin": "https://www.foo.com",
      "access-control-request-method": "GET",
      "access-control-request-headers": "x-header-1, x-header-2"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Host": "",
      "Method": "OPTIONS",
      "Path": ""
     }
    },
    "Namespace": "",
    "Response": {
     "StatusCodes": [
      200,
      204
     ],
     "ValidHeaderValues": {
      "access-control-allow-origin": [
       "https://www.foo.com"
      ],
      "access-control-allow-methods": [
       "GET, OPTIONS",
       "OPTIONS, GET"
      ],
      "access-control-allow-headers": [
       "x-header-1, x-header-2",
       "x-header-2, x-header-1"
      ],
      "access-control-expose-headers": [
       "x-header-3, x-header-4",
       "x-header-4, x-header-3"
      ],
      "access-control-max-age": [
       "3600"
      ],
      "access-control-allow-credentials": [
       "true"
      ]
     },
     "IgnoreWhitespace": true
    }
   },
   {
    "TestCaseName": "CORS preflight request from a wildcard matching origin should be allowed",
    "Request": {
     "Path": "/cors-1",
     "Method": "OPTIONS",
     "Headers": {
      "Origin": "https://www.bar.com",
      "access-control-request-method": "GET",
      "access-control-request-headers": "x-header-1, x-header-2"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Host": "",
      "Method": "OPTIONS",
      "Path": ""
     }
    },
    "Namespace": "",
    "Response": {
     "StatusCodes": [
      200,
      204
     ],
     "ValidHeaderValues": {
      "access-control-allow-origin": [
       "https://www.bar.com"
      ],
      "access-control-allow-methods": [
       "GET, OPTIONS",
       "OPTIONS, GET"
      ],
      "access-control-allow-headers": [
       "x-header-1, x-header-2",
       "x-header-2, x-header-1"
      ],
      "access-control-expose-headers": [
       "x-header-3, x-header-4",
       "x-header-4, x-header-3"
      ],
      "access-control-max-age": [
       "3600"
      ],
      "access-control-allow-credentials": [
       "true"
      ]
     },
     "IgnoreWhitespace": true
    }
   },
   {
    "TestCaseName": "CORS preflight request from a wildcard matching any number of periods left to '*' should be allowed",
    "Request": {
     "Path": "/cors-1",
     "Method": "OPTIONS",
     "Headers": {
      "Origin": "https://xpto.www.bar.com",
      "access-control-request-method": "GET",
      "access-control-request-headers": "x-header-1, x-header-2"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Host": "",
      "Method": "OPTIONS",
      "Path": ""
     }
    },
    "Namespace": "",
    "Response": {
     "StatusCodes": [
      200,
      204
     ],
     "ValidHeaderValues": {
      "access-control-allow-origin": [
       "https://xpto.www.bar.com"
      ],
      "access-control-allow-methods": [
       "GET, OPTIONS",
       "OPTIONS, GET"
      ],
      "access-control-allow-headers": [
       "x-header-1, x-header-2",
       "x-header-2, x-header-1"
      ],
      "access-control-expose-headers": [
       "x-header-3, x-header-4",
       "x-header-4, x-header-3"
      ],
      "access-control-max-age": [
       "3600"
      ],
      "access-control-allow-credentials": [
       "true"
      ]
     },
     "IgnoreWhitespace": true
    }
   },
   {
    "TestCaseName": "CORS preflight request from a non-matching origin should not be allowed",
    "Request": {
     "Path": "/cors-1",
     "Method": "OPTIONS",
     "Headers": {
      "Origin": "https://foobar.com",
      "access-control-request-method": "GET"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Host": "",
      "Method": "OPTIONS",
      "Path": ""
     }
    },
    "Namespace": "",
    "Response": {
     "StatusCodes": [
      200,
      204,
      403
     ],
     "AbsentHeaders": [
      "access-control-allow-origin"
     ]
    }
   },
   {
    "TestCaseName": "Simple request from an exact matching origin should be allowed",
    "Namespace": "gateway-conformance-infra",
    "Request": {
     "Path": "/cors-1",
     "Method": "GET",
     "Headers": {
      "Origin": "https://www.foo.com",
      "access-control-request-method": "GET",
      "access-control-request-headers": "x-header-1, x-header-2"
     }
    },
    "Response": {
     "StatusCode": 200,
     "Headers": {
      "access-control-allow-origin": "https://www.foo.com"
     }
    }
   },
   {
    "TestCaseName": "Simple request from a wildcard matching origin should be allowed",
    "Namespace": "gateway-conformance-infra",
    "Request": {
     "Path": "/cors-1",
     "Method": "GET",
     "Headers": {
      "Origin": "https://www.bar.com",
      "access-control-request-method": "GET",
      "access-control-request-headers": "x-header-1, x-header-2"
     }
    },
    "Response": {
     "StatusCode": 200,
     "Headers": {
      "access-control-allow-origin": "https://www.bar.com"
     }
    }
   },
   {
    "TestCaseName": "Simple request from a non-matching origin should not be allowed",
    "Namespace": "gateway-conformance-infra",
    "Request": {
     "Path": "/cors-1",
     "Method": "GET",
     "Headers": {
      "Origin": "https://foobar.com",
      "access-control-request-method": "GET"
     }
    },
    "Response": {
     "AbsentHeaders": [
      "access-control-allow-origin"
     ]
    }
   },
   {
    "TestCaseName": "CORS preflight request with POST method should be allowed by allowMethods with wildcard",
    "Request": {
     "Path": "/cors-2",
     "Method": "OPTIONS",
     "Headers": {
      "Origin": "https://www.foo.com",
      "access-control-request-method": "POST"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Host": "",
      "Method": "OPTIONS",
      "Path": ""
     }
    },
    "Namespace": "",
    "Response": {
     "StatusCodes": [
      200,
      204
     ],
     "ValidHeaderValues": {
      "access-control-allow-methods": [
       "POST",
       "*"
      ]
     },
     "Headers": {
      "access-control-allow-origin": "https://www.foo.com"
     },
     "AbsentHeaders": [
      "access-control-allow-credentials"
     ]
    }
   },
   {
    "TestCaseName": "CORS preflight request should not receive access-control-allow-credentials header without access-control-allow-credentials set to true",
    "Request": {
     "Path": "/cors-2",
     "Method": "OPTIONS",
     "Headers": {
      "Origin": "https://www.foo.com",
      "access-control-request-method": "POST"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Host": "",
      "Method": "OPTIONS",
      "Path": ""
     }
    },
    "Namespace": "",
    "Response": {
     "StatusCodes": [
      200,
      204
     ],
     "AbsentHeaders": [
      "Access-Control-Allow-Credentials"
     ]
    }
   },
   {
    "TestCaseName": "CORS preflight request from a wildcard origin should return header with '*' or with the requested Origin",
    "Namespace": "",
    "Request": {
     "Path": "/cors-wildcard-origin",
     "Method": "OPTIONS",
     "Headers": {
      "Origin": "https://foobar.com",
      "access-control-request-method": "PUT"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Host": "",
      "Method": "OPTIONS",
      "Path": ""
     }
    },
    "Response": {
     "StatusCodes": [
      200,
      204
     ],
     "ValidHeaderValues": {
      "access-control-allow-origin": [
       "https://foobar.com",
       "*"
      ],
      "access-control-allow-methods": [
       "PUT"
      ]
     },
     "AbsentHeaders": [
      "Access-Control-Allow-Credentials"
     ]
    }
   },
   {
    "TestCaseName": "CORS preflight request from a wildcard origin containing a port should return header with '*' or with the requested Origin",
    "Namespace": "",
    "Request": {
     "Path": "/cors-wildcard-origin",
     "Method": "OPTIONS",
     "Headers": {
      "Origin": "https://foobar.com:12345",
      "access-control-request-method": "PUT"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Host": "",
      "Method": "OPTIONS",
      "Path": ""
     }
    },
    "Response": {
     "StatusCodes": [
      200,
      204
     ],
     "ValidHeaderValues": {
      "access-control-allow-origin": [
       "https://foobar.com:12345",
       "*"
      ],
      "access-control-allow-methods": [
       "PUT"
      ]
     },
     "AbsentHeaders": [
      "Access-Control-Allow-Credentials"
     ]
    }
   },
   {
    "TestCaseName": "Request from a wildcard origin containing a port should return header with '*' or with the requested Origin",
    "Namespace": "gateway-conformance-infra",
    "Request": {
     "Path": "/cors-wildcard-origin",
     "Method": "PUT",
     "Headers": {
      "Origin": "https://foobar.com:12345"
     }
    },
    "Response": {
     "StatusCode": 200,
     "ValidHeaderValues": {
      "access-control-allow-origin": [
       "https://foobar.com:12345",
       "*"
      ]
     }
    }
   },
   {
    "TestCaseName": "Simple request from a wildcard origin should return header with '*' or with the requested Origin",
    "Namespace": "gateway-conformance-infra",
    "Request": {
     "Path": "/cors-wildcard-origin",
     "Method": "PUT",
     "Headers": {
      "Origin": "https://foobar.com"
     }
    },
    "Response": {
     "StatusCode": 200,
     "ValidHeaderValues": {
      "access-control-allow-origin": [
       "https://foobar.com",
       "*"
      ]
     },
     "AbsentHeaders": [
      "Access-Control-Allow-Credentials"
     ]
    }
   },
   {
    "TestCaseName": "CORS preflight request requesting specific method and headers should be allowed and always echo the origin with allowCredentials set to true",
    "Request": {
     "Path": "/cors-wildcard-methods-headers",
     "Method": "OPTIONS",
     "Headers": {
      "Origin": "https://other.foo.com",
      "access-control-request-method": "PUT",
      "access-control-request-headers": "x-header-1, x-header-2"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Host": "",
      "Method": "OPTIONS",
      "Path": ""
     }
    },
    "Namespace": "",
    "Response": {
     "StatusCodes": [
      200,
      204
     ],
     "ValidHeaderValues": {
      "access-control-allow-origin": [
       "https://other.foo.com"
      ],
      "access-control-allow-methods": [
       "PUT"
      ],
      "access-control-allow-headers": [
       "x-header-1, x-header-2",
       "x-header-2, x-header-1"
      ],
      "access-control-allow-credentials": [
       "true"
      ]
     },
     "IgnoreWhitespace": true
    }
   },
   {
    "TestCaseName": "CORS preflight request requesting specific method and headers should hide access-control-allow-credentials headers with allowCredentials set to false",
    "Request": {
     "Path": "/cors-wildcard-methods-headers-unauth",
     "Method": "OPTIONS",
     "Headers": {
      "Origin": "https://other.foo.com",
      "access-control-request-method": "PUT",
      "access-control-request-headers": "x-header-1, x-header-2"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Host": "",
      "Method": "OPTIONS",
      "Path": ""
     }
    },
    "Namespace": "",
    "Response": {
     "StatusCodes": [
      200,
      204
     ],
     "ValidHeaderValues": {
      "access-control-allow-origin": [
       "https://other.foo.com",
       "*"
      ],
      "access-control-allow-methods": [
       "PUT",
       "*"
      ],
      "access-control-allow-headers": [
       "x-header-1, x-header-2",
       "x-header-2, x-header-1",
       "*"
      ]
     },
     "AbsentHeaders": [
      "access-control-allow-credentials"
     ],
     "IgnoreWhitespace": true
    }
   },
   {
    "TestCaseName": "CORS request should receive access-control-allow-credentials header with allowCredentials set to true",
    "Request": {
     "Path": "/cors-wildcard-methods-headers",
     "Method": "GET",
     "Headers": {
      "Origin": "https://other.foo.com"
     }
    },
    "Namespace": "gateway-conformance-infra",
    "Response": {
     "StatusCode": 200,
     "ValidHeaderValues": {
      "access-control-allow-origin": [
       "https://other.foo.com"
      ],
      "access-control-allow-credentials": [
       "true"
      ]
     }
    }
   },
   {
    "TestCaseName": "CORS request should not receive access-control-allow-credentials header without allowCredentials set to true",
    "Request": {
     "Path": "/cors-wildcard-methods-headers-unauth",
     "Method": "GET",
     "Headers": {
      "Origin": "https://other.foo.com"
     }
    },
    "Namespace": "gateway-conformance-infra",
    "Response": {
     "StatusCode": 200,
     "ValidHeaderValues": {
      "access-control-allow-origin": [
       "https://other.foo.com",
       "*"
      ]
     },
     "AbsentHeaders": [
      "access-control-allow-credentials"
     ]
    }
   }
  ]
 ],
 "httproute-cross-namespace": [
  {
   "Request": {
    "Path": "/"
   },
   "Response": {
    "StatusCode": 200
   },
   "Backend": "web-backend",
   "Namespace": "gateway-conformance-web-backend"
  }
 ],
 "httproute-exact-path-matching": [
  [
   {
    "Request": {
     "Path": "/one"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/two"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Path": "/one/example"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Path": "/two/"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Path": "/Two"
    },
    "Response": {
     "StatusCode": 404
    }
   }
  ]
 ],
 "httproute-header-matching": [
  [
   {
    "Request": {
     "Path": "/",
     "Headers": {
      "Version": "one"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/",
     "Headers": {
      "Version": "two"
     }
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/",
     "Headers": {
      "Version": "two",
      "Color": "orange"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/",
     "Headers": {
      "Version": "two",
      "Color": "blue"
     }
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/",
     "Headers": {
      "Color": "orange"
     }
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Path": "/",
     "Headers": {
      "Some-Other-Header": "one"
     }
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Path": "/",
     "Headers": {
      "Color": "blue"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/",
     "Headers": {
      "Color": "green"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/",
     "Headers": {
      "Color": "red"
     }
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/",
     "Headers": {
      "Color": "yellow"
     }
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/",
     "Headers": {
      "Color": "purple"
     }
    },
    "Response": {
     "StatusCode": 404
    }
   }
  ]
 ],
 "httproute-hostname-intersection": [
  {
   "Request": {
    "Host": "very.specific.com",
    "Path": "/s1"
   },
   "Backend": "infra-backend-v1",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "very.specific.com:1234",
    "Path": "/s1"
   },
   "Backend": "infra-backend-v1",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "non.matching.com",
    "Path": "/s1"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "foo.nonmatchingwildcard.io",
    "Path": "/s1"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "foo.wildcard.io",
    "Path": "/s1"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "very.specific.com",
    "Path": "/non-matching-prefix"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "foo.wildcard.io",
    "Path": "/s2"
   },
   "Backend": "infra-backend-v2",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "bar.wildcard.io",
    "Path": "/s2"
   },
   "Backend": "infra-backend-v2",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "foo.bar.wildcard.io",
    "Path": "/s2"
   },
   "Backend": "infra-backend-v2",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "non.matching.com",
    "Path": "/s2"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "wildcard.io",
    "Path": "/s2"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "very.specific.com",
    "Path": "/s2"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "foo.wildcard.io",
    "Path": "/non-matching-prefix"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "very.specific.com",
    "Path": "/s3"
   },
   "Backend": "infra-backend-v3",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "non.matching.com",
    "Path": "/s3"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "foo.specific.com",
    "Path": "/s3"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "foo.wildcard.io",
    "Path": "/s3"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "very.specific.com",
    "Path": "/non-matching-prefix"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "foo.anotherwildcard.io",
    "Path": "/s4"
   },
   "Backend": "infra-backend-v1",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "bar.anotherwildcard.io",
    "Path": "/s4"
   },
   "Backend": "infra-backend-v1",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "foo.bar.anotherwildcard.io",
    "Path": "/s4"
   },
   "Backend": "infra-backend-v1",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "anotherwildcard.io",
    "Path": "/s4"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "foo.wildcard.io",
    "Path": "/s4"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "very.specific.com",
    "Path": "/s4"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "foo.anotherwildcard.io",
    "Path": "/non-matching-prefix"
   },
   "Response": {
    "StatusCode": 404
   }
  },
  [
   {
    "Request": {
     "Host": "specific.but.wrong.com",
     "Path": "/s5"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Host": "wildcard.io",
     "Path": "/s5"
    },
    "Response": {
     "StatusCode": 404
    }
   }
  ],
  {
   "Request": {
    "Host": "first.com",
    "Path": "/"
   },
   "Backend": "infra-backend-v2",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "sub.first.com",
    "Path": "/"
   },
   "Backend": "infra-backend-v2",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "second.com",
    "Path": "/"
   },
   "Backend": "infra-backend-v2",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "sub.second.com",
    "Path": "/"
   },
   "Backend": "infra-backend-v2",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Host": "third.com",
    "Path": "/"
   },
   "Namespace": "gateway-conformance-infra",
   "Response": {
    "StatusCode": 404
   }
  },
  {
   "Request": {
    "Host": "sub.third.com",
    "Path": "/"
   },
   "Namespace": "gateway-conformance-infra",
   "Response": {
    "StatusCode": 404
   }
  }
 ],
 "httproute-invalid-backendref-unknown-kind": [
  {
   "Request": {
    "Method": "GET",
    "Path": "/v2"
   },
   "Response": {
    "StatusCode": 500
   }
  }
 ],
 "httproute-invalid-cross-namespace-backend-ref": [
  {
   "Request": {
    "Method": "GET",
    "Path": "/"
   },
   "Response": {
    "StatusCode": 500
   }
  }
 ],
 "httproute-invalid-nonexistent-backendref": [
  {
   "Request": {
    "Method": "GET",
    "Path": "/"
   },
   "Response": {
    "StatusCode": 500
   }
  }
 ],
 "httproute-invalid-reference-grant": [
  {
   "Request": {
    "Method": "GET",
    "Path": "/"
   },
   "Response": {
    "StatusCode": 500
   },
   "Backend": "web-backend",
   "Namespace": "gateway-conformance-web-backend"
  }
 ],
 "httproute-listener-hostname-matching": [
  [
   {
    "Request": {
     "Host": "bar.com",
     "Path": "/"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "foo.bar.com",
     "Path": "/"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "baz.bar.com",
     "Path": "/"
    },
    "Backend": "infra-backend-v3",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "boo.bar.com",
     "Path": "/"
    },
    "Backend": "infra-backend-v3",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "multiple.prefixes.bar.com",
     "Path": "/"
    },
    "Backend": "infra-backend-v3",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "multiple.prefixes.foo.com",
     "Path": "/"
    },
    "Backend": "infra-backend-v3",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "foo.com",
     "Path": "/"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Host": "no.matching.host",
     "Path": "/"
    },
    "Response": {
     "StatusCode": 404
    }
   }
  ]
 ],
 "httproute-listener-port-matching": [
  [
   {
    "Request": {
     "Host": "foo.com",
     "Path": "/"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "foo.com:8080",
     "Path": "/"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "bar.com:8080",
     "Path": "/"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "foo.com:8090",
     "Path": "/"
    },
    "Backend": "infra-backend-v3",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "bar.com:8090",
     "Path": "/"
    },
    "Response": {
     "StatusCode": 404
    }
   }
  ]
 ],
 "httproute-matching-across-routes": [
  [
   {
    "Request": {
     "Host": "example.com",
     "Path": "/"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "example.com",
     "Path": "/example"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "example.net",
     "Path": "/example"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "example.com",
     "Path": "/example",
     "Headers": {
      "Version": "one"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "example.com",
     "Path": "/v2"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "example.net",
     "Path": "/v2"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "example.com",
     "Path": "/v2/example"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "example.com",
     "Path": "/",
     "Headers": {
      "Version": "two"
     }
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-matching": [
  [
   {
    "Request": {
     "Path": "/"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/example"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/",
     "Headers": {
      "Version": "one"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/v2"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/v2/example"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/",
     "Headers": {
      "Version": "two"
     }
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/v2/"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/v2example"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/foo/v2/example"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-method-matching": [
  [
   {
    "Request": {
     "Method": "POST",
     "Path": "/"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Method": "GET",
     "Path": "/"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Method": "HEAD",
     "Path": "/"
    },
    "Response": {
     "StatusCode": 404
    }
   }
  ],
  [
   {
    "Request": {
     "Path": "/path1",
     "Method": "GET"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Headers": {
      "version": "one"
     },
     "Path": "/",
     "Method": "PUT"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Headers": {
      "version": "two"
     },
     "Path": "/path2",
     "Method": "POST"
    },
    "Backend": "infra-backend-v3",
    "Namespace": "gateway-conformance-infra"
   }
  ],
  [
   {
    "Request": {
     "Path": "/path3",
     "Method": "PATCH"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Headers": {
      "version": "three"
     },
     "Path": "/path4",
     "Method": "DELETE"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   }
  ],
  [
   {
    "Request": {
     "Path": "/",
     "Method": "PUT"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Path": "/path4",
     "Method": "DELETE"
    },
    "Response": {
     "StatusCode": 404
    }
   }
  ],
  [
   {
    "Request": {
     "Path": "/path5",
     "Method": "PATCH"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Headers": {
      "version": "four"
     },
     "Path": "/",
     "Method": "PATCH"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-multiple-gateways": [
  {
   "Request": {
    "Path": "/shared"
   },
   "Response": {
    "StatusCode": 200
   },
   "Backend": "infra-backend-v1",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Path": "/"
   },
   "Response": {
    "StatusCode": 200
   },
   "Backend": "infra-backend-v2",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Path": "/shared"
   },
   "Response": {
    "StatusCode": 200
   },
   "Backend": "infra-backend-v1",
   "Namespace": "gateway-conformance-infra"
  },
  {
   "Request": {
    "Path": "/"
   },
   "Response": {
    "StatusCode": 200
   },
   "Backend": "infra-backend-v3",
   "Namespace": "gateway-conformance-infra"
  }
 ],
 "httproute-named-rule": [
  [
   {
    "Request": {
     "Path": "/named"
    },
    "Response": {
     "StatusCode": 200
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/unnamed"
    },
    "Response": {
     "StatusCode": 200
    },
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-omitted-backendrefs": [
  [
   {
    "Request": {
     "Path": "/forward"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/omitted-no-forward"
    },
    "Response": {
     "StatusCode": 500
    }
   },
   {
    "Request": {
     "Path": "/empty-no-forward"
    },
    "Response": {
     "StatusCode": 500
    }
   }
  ]
 ],
 "httproute-partially-invalid-via-invalid-reference-grant": [
  {
   "Request": {
    "Method": "GET",
    "Path": "/v2"
   },
   "Response": {
    "StatusCode": 500
   }
  }
 ],
 "httproute-path-match-order": [
  [
   {
    "Request": {
     "Path": "/match/exact/one"
    },
    "Backend": "infra-backend-v3",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/match/exact"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/match"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/match/prefix/one/any"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/match/prefix/any"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/match/any"
    },
    "Backend": "infra-backend-v3",
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-query-param-matching": [
  [
   {
    "Request": {
     "Path": "/?animal=whale"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/?animal=dolphin"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/?animal=dolphin&color=blue"
    },
    "Backend": "infra-backend-v3",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/?ANIMAL=Whale"
    },
    "Backend": "infra-backend-v3",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/?animal=whale&otherparam=irrelevant"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/?animal=dolphin&color=yellow"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/?color=blue"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Path": "/?animal=dog"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Path": "/?animal=whaledolphin"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Path": "/"
    },
    "Response": {
     "StatusCode": 404
    }
   }
  ],
  [
   {
    "Request": {
     "Path": "/path1?animal=whale"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Headers": {
      "version": "one"
     },
     "Path": "/?animal=whale"
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Headers": {
      "version": "two"
     },
     "Path": "/path2?animal=whale"
    },
    "Backend": "infra-backend-v3",
    "Namespace": "gateway-conformance-infra"
   }
  ],
  [
   {
    "Request": {
     "Path": "/path3?animal=shark"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Headers": {
      "version": "three"
     },
     "Path": "/path4?animal=kraken"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   }
  ],
  [
   {
    "Request": {
     "Path": "/?animal=shark"
    },
    "Response": {
     "StatusCode": 404
    }
   },
   {
    "Request": {
     "Path": "/path4?animal=kraken"
    },
    "Response": {
     "StatusCode": 404
    }
   }
  ],
  [
   {
    "Request": {
     "Path": "/path5?animal=hydra"
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Headers": {
      "version": "four"
     },
     "Path": "/?animal=hydra"
    },
    "Backend": "infra-backend-v3",
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-redirect-host-and-status": [
  [
   {
    "Request": {
     "Path": "/hostname-redirect",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/host-and-status",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 301
    },
    "RedirectRequest": {
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-redirect-path": [
  [
   {
    "Request": {
     "Path": "/original-prefix/lemon",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Path": "/replacement-prefix/lemon"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/full/path/original",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Path": "/full-path-replacement"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/path-and-host",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Host": "example.org",
     "Path": "/replacement-prefix"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/path-and-status",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 301
    },
    "RedirectRequest": {
     "Path": "/replacement-prefix"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/full-path-and-host",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Host": "example.org",
     "Path": "/replacement-full"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/full-path-and-status",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 301
    },
    "RedirectRequest": {
     "Path": "/replacement-full"
    },
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-redirect-port-and-scheme": [
  [
   {
    "Request": {
     "Path": "/scheme-nil-and-port-nil",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "http",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/scheme-nil-and-port-80",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "http",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/scheme-nil-and-port-8080",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "http",
     "Port": "8080",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/scheme-https-and-port-nil",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "https",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/scheme-https-and-port-443",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "https",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/scheme-https-and-port-8443",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "https",
     "Port": "8443",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   }
  ],
  [
   {
    "Request": {
     "Path": "/scheme-nil-and-port-nil",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "http",
     "Port": "8080",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/scheme-nil-and-port-80",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "http",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/scheme-https-and-port-nil",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "https",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   }
  ],
  [
   {
    "Request": {
     "Host": "example.org",
     "Path": "/scheme-nil-and-port-nil",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "https",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "example.org",
     "Path": "/scheme-nil-and-port-443",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "https",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "example.org",
     "Path": "/scheme-nil-and-port-8443",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "https",
     "Port": "8443",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "example.org",
     "Path": "/scheme-http-and-port-nil",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "http",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "example.org",
     "Path": "/scheme-http-and-port-80",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "http",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Host": "example.org",
     "Path": "/scheme-http-and-port-8080",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "http",
     "Port": "8080",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-redirect-port": [
  [
   {
    "Request": {
     "Path": "/port",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Port": "8083"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/port-and-host",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Host": "example.org",
     "Port": "8083"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/port-and-status",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 301
    },
    "RedirectRequest": {
     "Port": "8083"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/port-and-host-and-status",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Port": "8083",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-redirect-scheme": [
  [
   {
    "Request": {
     "Path": "/scheme",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "https"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/scheme-and-host",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Host": "example.org",
     "Scheme": "https"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/scheme-and-status",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 301
    },
    "RedirectRequest": {
     "Scheme": "https"
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/scheme-and-host-and-status",
     "UnfollowRedirect": true
    },
    "Response": {
     "StatusCode": 302
    },
    "RedirectRequest": {
     "Scheme": "https",
     "Host": "example.org"
    },
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-reference-grant": [
  {
   "Request": {
    "Method": "GET",
    "Path": "/"
   },
   "Response": {
    "StatusCode": 200
   },
   "Backend": "web-backend",
   "Namespace": "gateway-conformance-web-backend"
  },
  {
   "Request": {
    "Method": "GET",
    "Path": "/"
   },
   "Response": {
    "StatusCode": 500
   }
  }
 ],
 "httproute-request-header-modifier-backend-weights": [
  {
   "Request": {
    "Path": "/"
   },
   "Response": {
    "StatusCode": 200
   },
   "Namespace": "gateway-conformance-infra"
  }
 ],
 "httproute-request-header-modifier": [
  [
   {
    "Request": {
     "Path": "/set",
     "Headers": {
      "Some-Other-Header": "val"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/set",
      "Headers": {
       "Some-Other-Header": "val",
       "X-Header-Set": "set-overwrites-values"
      }
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/set",
     "Headers": {
      "Some-Other-Header": "val",
      "X-Header-Set": "some-other-value"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/set",
      "Headers": {
       "Some-Other-Header": "val",
       "X-Header-Set": "set-overwrites-values"
      }
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/add",
     "Headers": {
      "Some-Other-Header": "val"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/add",
      "Headers": {
       "Some-Other-Header": "val",
       "X-Header-Add": "add-appends-values"
      }
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/add",
     "Headers": {
      "Some-Other-Header": "val",
      "X-Header-Add": "some-other-value"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/add",
      "Headers": {
       "Some-Other-Header": "val",
       "X-Header-Add": "some-other-value,add-appends-values"
      }
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/remove",
     "Headers": {
      "X-Header-Remove": "val"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/remove"
     },
     "AbsentHeaders": [
      "X-Header-Remove"
     ]
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/multiple",
     "Headers": {
      "X-Header-Set-2": "set-val-2",
      "X-Header-Add-2": "add-val-2",
      "X-Header-Remove-2": "remove-val-2",
      "Another-Header": "another-header-val"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/multiple",
      "Headers": {
       "X-Header-Set-1": "header-set-1",
       "X-Header-Set-2": "header-set-2",
       "X-Header-Add-1": "header-add-1",
       "X-Header-Add-2": "add-val-2,header-add-2",
       "X-Header-Add-3": "header-add-3",
       "Another-Header": "another-header-val"
      }
     },
     "AbsentHeaders": [
      "X-Header-Remove-1",
      "X-Header-Remove-2"
     ]
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/case-insensitivity",
     "Headers": {
      "x-header-set": "original-val-set",
      "x-header-add": "original-val-add",
      "x-header-remove": "original-val-remove",
      "Another-Header": "another-header-val"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/case-insensitivity",
      "Headers": {
       "X-Header-Set": "header-set",
       "X-Header-Add": "original-val-add,header-add",
       "Another-Header": "another-header-val"
      }
     },
     "AbsentHeaders": [
      "x-header-remove",
      "X-Header-Remove"
     ]
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-request-mirror": [
  [
   {
    "Request": {
     "Path": "/mirror"
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/mirror"
     }
    },
    "Backend": "infra-backend-v1",
    "MirroredTo": [
     {
      "BackendRef": {
       "Name": "infra-backend-v2",
       "Namespace": "gateway-conformance-infra"
      }
     }
    ],
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/mirror-and-modify-headers",
     "Headers": {
      "X-Header-Remove": "remove-val",
      "X-Header-Add-Append": "append-val-1"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/mirror-and-modify-headers",
      "Headers": {
       "X-Header-Add": "header-val-1",
       "X-Header-Add-Append": "append-val-1,header-val-2",
       "X-Header-Set": "set-overwrites-values"
      }
     },
     "AbsentHeaders": [
      "X-Header-Remove"
     ]
    },
    "Namespace": "gateway-conformance-infra",
    "Backend": "infra-backend-v1",
    "MirroredTo": [
     {
      "BackendRef": {
       "Name": "infra-backend-v2",
       "Namespace": "gateway-conformance-infra"
      }
     }
    ]
   }
  ]
 ],
 "httproute-request-multiple-mirrors": [
  [
   {
    "Request": {
     "Path": "/multi-mirror"
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/multi-mirror"
     }
    },
    "Backend": "infra-backend-v1",
    "MirroredTo": [
     {
      "BackendRef": {
       "Name": "infra-backend-v2",
       "Namespace": "gateway-conformance-infra"
      }
     },
     {
      "BackendRef": {
       "Name": "infra-backend-v3",
       "Namespace": "gateway-conformance-infra"
      }
     }
    ],
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/multi-mirror-and-modify-request-headers",
     "Headers": {
      "X-Header-Remove": "remove-val",
      "X-Header-Add-Append": "append-val-1"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/multi-mirror-and-modify-request-headers",
      "Headers": {
       "X-Header-Add": "header-val-1",
       "X-Header-Add-Append": "append-val-1,header-val-2",
       "X-Header-Set": "set-overwrites-values"
      }
     },
     "AbsentHeaders": [
      "X-Header-Remove"
     ]
    },
    "Namespace": "gateway-conformance-infra",
    "Backend": "infra-backend-v1",
    "MirroredTo": [
     {
      "BackendRef": {
       "Name": "infra-backend-v2",
       "Namespace": "gateway-conformance-infra"
      }
     },
     {
      "BackendRef": {
       "Name": "infra-backend-v3",
       "Namespace": "gateway-conformance-infra"
      }
     }
    ]
   }
  ]
 ],
 "httproute-response-header-modifier": [
  [
   {
    "Request": {
     "Path": "/set"
    },
    "BackendSetResponseHeaders": {
     "Some-Other-Header": "val"
    },
    "Response": {
     "Headers": {
      "Some-Other-Header": "val",
      "X-Header-Set": "set-overwrites-values"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/set"
    },
    "BackendSetResponseHeaders": {
     "Some-Other-Header": "val",
     "X-Header-Set": "some-other-value"
    },
    "Response": {
     "Headers": {
      "Some-Other-Header": "val",
      "X-Header-Set": "set-overwrites-values"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/add"
    },
    "BackendSetResponseHeaders": {
     "Some-Other-Header": "val"
    },
    "Response": {
     "Headers": {
      "Some-Other-Header": "val",
      "X-Header-Add": "add-appends-values"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/add"
    },
    "BackendSetResponseHeaders": {
     "Some-Other-Header": "val",
     "X-Header-Add": "some-other-value"
    },
    "Response": {
     "Headers": {
      "Some-Other-Header": "val",
      "X-Header-Add": "some-other-value,add-appends-values"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/remove"
    },
    "BackendSetResponseHeaders": {
     "X-Header-Remove": "val"
    },
    "Response": {
     "AbsentHeaders": [
      "X-Header-Remove"
     ]
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/multiple"
    },
    "BackendSetResponseHeaders": {
     "X-Header-Set-2": "set-val-2",
     "X-Header-Add-2": "add-val-2",
     "X-Header-Remove-2": "remove-val-2",
     "Another-Header": "another-header-val",
     "X-Header-Remove-1": "val"
    },
    "Response": {
     "Headers": {
      "X-Header-Set-1": "header-set-1",
      "X-Header-Set-2": "header-set-2",
      "X-Header-Add-1": "header-add-1",
      "X-Header-Add-2": "add-val-2,header-add-2",
      "X-Header-Add-3": "header-add-3",
      "Another-Header": "another-header-val"
     },
     "AbsentHeaders": [
      "X-Header-Remove-1",
      "X-Header-Remove-2"
     ]
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/case-insensitivity"
    },
    "BackendSetResponseHeaders": {
     "x-header-set": "original-val-set",
     "x-header-add": "original-val-add",
     "x-header-remove": "original-val-remove",
     "Another-Header": "another-header-val"
    },
    "Response": {
     "Headers": {
      "X-Header-Set": "header-set",
      "X-Header-Add": "original-val-add,header-add",
      "X-Lowercase-Add": "lowercase-add",
      "X-Mixedcase-Add-1": "mixedcase-add-1",
      "X-Mixedcase-Add-2": "mixedcase-add-2",
      "X-Uppercase-Add": "uppercase-add",
      "Another-Header": "another-header-val"
     },
     "AbsentHeaders": [
      "x-header-remove",
      "X-Header-Remove"
     ]
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/response-and-request-header-modifiers",
     "Headers": {
      "X-Header-Remove": "remove-val",
      "X-Header-Add-Append": "append-val-1",
      "X-Header-Echo": "echo"
     }
    },
    "BackendSetResponseHeaders": {
     "X-Header-Set-2": "set-val-2",
     "X-Header-Add-2": "add-val-2",
     "X-Header-Remove-2": "remove-val-2",
     "Another-Header": "another-header-val",
     "X-Header-Remove-1": "remove-val-1",
     "X-Header-Echo": "echo"
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/response-and-request-header-modifiers",
      "Headers": {
       "X-Header-Add": "header-val-1",
       "X-Header-Set": "set-overwrites-values",
       "X-Header-Add-Append": "append-val-1,header-val-2",
       "X-Header-Echo": "echo"
      }
     },
     "AbsentHeaders": [
      "X-Header-Remove"
     ]
    },
    "Response": {
     "Headers": {
      "X-Header-Set-1": "header-set-1",
      "X-Header-Set-2": "header-set-2",
      "X-Header-Add-1": "header-add-1",
      "X-Header-Add-2": "add-val-2,header-add-2",
      "Another-Header": "another-header-val",
      "X-Header-Echo": "echo"
     },
     "AbsentHeaders": [
      "X-Header-Remove-1",
      "X-Header-Remove-2"
     ]
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-rewrite-host": [
  [
   {
    "Request": {
     "Path": "/one",
     "Host": "rewrite.example"
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/one",
      "Host": "one.example.org"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/two",
     "Host": "rewrite.example"
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/two",
      "Host": "example.org"
     }
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/rewrite-host-and-modify-headers",
     "Host": "rewrite.example",
     "Headers": {
      "X-Header-Remove": "remove-val",
      "X-Header-Add-Append": "append-val-1"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/rewrite-host-and-modify-headers",
      "Host": "test.example.org",
      "Headers": {
       "X-Header-Add": "header-val-1",
       "X-Header-Add-Append": "append-val-1,header-val-2",
       "X-Header-Set": "set-overwrites-values"
      }
     },
     "AbsentHeaders": [
      "X-Header-Remove"
     ]
    },
    "Backend": "infra-backend-v2",
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-rewrite-path": [
  [
   {
    "Request": {
     "Path": "/prefix/one/two"
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/one/two"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/strip-prefix/three"
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/three"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/strip-prefix"
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/full/one/two"
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/one"
     }
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/full/rewrite-path-and-modify-headers/test",
     "Headers": {
      "X-Header-Remove": "remove-val",
      "X-Header-Add-Append": "append-val-1",
      "X-Header-Set": "set-val"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/test",
      "Headers": {
       "X-Header-Add": "header-val-1",
       "X-Header-Add-Append": "append-val-1,header-val-2",
       "X-Header-Set": "set-overwrites-values"
      }
     },
     "AbsentHeaders": [
      "X-Header-Remove"
     ]
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/prefix/rewrite-path-and-modify-headers/one",
     "Headers": {
      "X-Header-Remove": "remove-val",
      "X-Header-Add-Append": "append-val-1",
      "X-Header-Set": "set-val"
     }
    },
    "ExpectedRequest": {
     "Request": {
      "Path": "/prefix/one",
      "Headers": {
       "X-Header-Add": "header-val-1",
       "X-Header-Add-Append": "append-val-1,header-val-2",
       "X-Header-Set": "set-overwrites-values"
      }
     },
     "AbsentHeaders": [
      "X-Header-Remove"
     ]
    },
    "Backend": "infra-backend-v1",
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-simple-same-namespace": [
  {
   "Request": {
    "Path": "/"
   },
   "Response": {
    "StatusCode": 200
   },
   "Backend": "infra-backend-v1",
   "Namespace": "gateway-conformance-infra"
  }
 ],
 "httproute-timeout-backend-request": [
  [
   {
    "Request": {
     "Path": "/backend-timeout"
    },
    "Response": {
     "StatusCode": 200
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/backend-timeout?delay=1s"
    },
    "Response": {
     "StatusCode": 504
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/disable-backend-timeout?delay=1s"
    },
    "Response": {
     "StatusCode": 200
    },
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-timeout-request": [
  [
   {
    "Request": {
     "Path": "/request-timeout"
    },
    "Response": {
     "StatusCode": 200
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/request-timeout?delay=1s"
    },
    "Response": {
     "StatusCode": 504
    },
    "Namespace": "gateway-conformance-infra"
   },
   {
    "Request": {
     "Path": "/disable-request-timeout?delay=1s"
    },
    "Response": {
     "StatusCode": 200
    },
    "Namespace": "gateway-conformance-infra"
   }
  ]
 ],
 "httproute-weight": [
  {
   "Request": {
    "Path": "/"
   },
   "Response": {
    "StatusCodes": [
     200
    ]
   },
   "Namespace": "gateway-conformance-infra"
  }
 ]
};
