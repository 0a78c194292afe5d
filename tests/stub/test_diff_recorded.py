"""More "Request was not matched" reports, recorded from real WireMock 3.13.2 on this machine.

Each case below was posted to `java -jar wiremock-standalone-3.13.2.jar` (stubs through
POST /__admin/mappings, then one request sent with exactly the listed headers) and the 404 body
was saved verbatim. They cover what the conformance corpus does not: names, host/port/scheme,
client IP, JSON/XML/JSONPath bodies, wrapping of long values, basic auth (whose headers WireMock
lists in java.util.HashMap order), absent matchers, regex hints, logical matchers, path
parameters, multipart and custom matchers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from podlab.stub.matching.order import ServingOrder
from podlab.stub.report.near_misses import near_misses
from podlab.stub.report.not_matched import render_not_matched

from .recorded import load_stubs, logged_request

RECORDED: dict[str, Any] = json.loads(
    r"""
{
 "port": 54517,
 "cases": [
  {
   "name": "named",
   "stubs": [
    {
     "name": "My stub name",
     "request": {
      "method": "GET",
      "url": "/n"
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/n2",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nMy stub name                                               |\n                                                           |\nGET                                                        | GET\n/n                                                         | /n2                                                 <<<<< URL does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "multi-header-values",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/h",
      "headers": {
       "X-M": {
        "equalTo": "a"
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/h",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "X-M",
     "b"
    ],
    [
     "X-M",
     "c"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/h                                                         | /h\n                                                           |\nX-M: a                                                     | X-M: b                                              <<<<< Header does not match\n                                                           | X-M: c\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "cookie-absent",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/c",
      "cookies": {
       "s": {
        "equalTo": "1"
       },
       "t": {
        "absent": true
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/c",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "Cookie",
     "t=2; u=3"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/c                                                         | /c\n                                                           |\nCookie: s=1                                                |                                                     <<<<< Cookie is not present\nCookie: t [absent] null                                    | 2                                                   <<<<< Cookie does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "host-port-scheme",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/hp",
      "host": {
       "equalTo": "example.com"
      },
      "port": 1234,
      "scheme": "https"
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/hp",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nexample.com                                                | 127.0.0.1                                           <<<<< Host does not match\n1234                                                       | 54517                                               <<<<< Port does not match\nhttps                                                      | http                                                <<<<< Scheme does not match\nGET                                                        | GET\n/hp                                                        | /hp\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "client-ip-host",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/ip",
      "clientIp": {
       "equalTo": "10.0.0.1"
      },
      "host": {
       "contains": "zz"
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/ip",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\n[contains] zz                                              | 127.0.0.1                                           <<<<< Host does not match\nequalTo 10.0.0.1                                           | 127.0.0.1                                           <<<<< ClientIp does not match\nGET                                                        | GET\n/ip                                                        | /ip\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "json-body",
   "stubs": [
    {
     "request": {
      "method": "POST",
      "url": "/j",
      "bodyPatterns": [
       {
        "equalToJson": {
         "a": 1,
         "b": [
          1,
          2
         ]
        }
       }
      ]
     },
     "response": {}
    }
   ],
   "method": "POST",
   "path": "/j",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "Content-Type",
     "application/json"
    ]
   ],
   "body": "{\"a\":2,\"b\":[1,2,3]}",
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | POST\n/j                                                         | /j\n                                                           |\n[equalToJson]                                              |                                                     <<<<< Body does not match\n{                                                          | {\n  \"a\" : 1,                                                 |   \"a\" : 2,\n  \"b\" : [ 1, 2 ]                                           |   \"b\" : [ 1, 2, 3 ]\n}                                                          | }\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "jsonpath",
   "stubs": [
    {
     "request": {
      "method": "POST",
      "url": "/jp",
      "bodyPatterns": [
       {
        "matchesJsonPath": "$.a"
       },
       {
        "matchesJsonPath": {
         "expression": "$.b",
         "equalTo": "x"
        }
       }
      ]
     },
     "response": {}
    }
   ],
   "method": "POST",
   "path": "/jp",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": "{\"b\":\"y\"}",
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | POST\n/jp                                                        | /jp\n                                                           |\n$.a                                                        | {\"b\":\"y\"}                                           <<<<< Body does not match\n$.b [equalTo] x                                            | y                                                   <<<<< Body does not match\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "regex-qmark",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "urlPattern": "/r?x=.*"
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/r?x=1",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n[regex] /r?x=.*                                            | /r?x=1                                              <<<<< URL does not match. When using a regex, \"?\" should be \"\\?\"\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "regex-match-qmark",
   "stubs": [
    {
     "request": {
      "method": "POST",
      "urlPattern": "/rr?.*"
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/rr?x=1",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | GET                                                 <<<<< HTTP method does not match\n[regex] /rr?.*                                             | /rr?x=1                                             <<<<< null. When using a regex, \"?\" should be \"\\?\"\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "regex-escaped-qmark",
   "stubs": [
    {
     "request": {
      "method": "POST",
      "urlPattern": "/r\\?x=.*"
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/r?x=1",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | GET                                                 <<<<< HTTP method does not match\n[regex] /r\\?x=.*                                           | /r?x=1\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "regex-no-slash",
   "stubs": [
    {
     "request": {
      "method": "POST",
      "urlPattern": ".*"
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/r?x=1",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | GET                                                 <<<<< HTTP method does not match\n[regex] .*                                                 | /r?x=1                                              <<<<< null. URLs must start with a /\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "no-slash",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "nos"
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/nos",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\nnos                                                        | /nos                                                <<<<< URL does not match. URLs must start with a /\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "long",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "headers": {
       "X-Long": {
        "equalTo": "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "X-Long",
     "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  | /bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb<<<<< URL does not match\naaaaaaaaaaaaaaaaaaaaaaaa                                   | bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n                                                           |\nX-Long:                                                    | X-Long:                                             <<<<< Header does not match\nvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv  | wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww\nvvvvvvvvvvvvv                                              | wwwwwwwwwwwwwwwwww\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "long-words",
   "stubs": [
    {
     "request": {
      "method": "POST",
      "url": "/lw",
      "bodyPatterns": [
       {
        "equalTo": "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma"
       }
      ]
     },
     "response": {}
    }
   ],
   "method": "POST",
   "path": "/lw",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen",
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | POST\n/lw                                                        | /lw\n                                                           |\n[equalTo]                                                  | one two three four five six seven eight nine ten eleven<<<<< Body does not match\nalpha beta gamma delta epsilon zeta eta theta              | twelve thirteen fourteen fifteen\niota kappa lambda mu nu xi omicron pi rho sigma            |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "basic-auth",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/ba",
      "basicAuthCredentials": {
       "username": "user",
       "password": "pass"
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/ba",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "Authorization",
     "Basic eDp5"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/ba                                                        | /ba\n                                                           |\nAuthorization [prefix] : Basic dXNlcjpwYXNz                | Authorization: Basic eDp5                           <<<<< Header does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "basic-auth-headers",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/x",
      "headers": {
       "X-A": {
        "equalTo": "1"
       },
       "X-B": {
        "hasExactly": [
         {
          "equalTo": "1"
         },
         {
          "contains": "2"
         }
        ]
       }
      },
      "basicAuthCredentials": {
       "username": "u",
       "password": "p"
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/x",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/x                                                         | /x\n                                                           |\nX-B exactly [equalTo 1 AND contains 2]                     |                                                     <<<<< Header is not present\nAuthorization [prefix] : Basic dTpw                        |                                                     <<<<< Header is not present\nX-A: 1                                                     |                                                     <<<<< Header is not present\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "query-multi",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "urlPath": "/q",
      "queryParameters": {
       "a": {
        "hasExactly": [
         {
          "equalTo": "1"
         },
         {
          "equalTo": "2"
         }
        ]
       },
       "b": {
        "equalTo": "x"
       },
       "c": {
        "equalTo": "c c"
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/q?a=1&a=3&b=y&b=z&c=c%20d",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n[path] /q                                                  | /q?a=1&a=3&b=y&b=z&c=c%20d\n                                                           |\nQuery: a exactly [equalTo 1 AND equalTo 2]                 | a: 1                                                <<<<< Query does not match\n                                                           | a: 3\nQuery: b = x                                               | b: y                                                <<<<< Query does not match\n                                                           | b: z\nQuery: c = c c                                             | c: c d                                              <<<<< Query does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "absent-all",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/ca",
      "cookies": {
       "t": {
        "absent": true
       }
      },
      "queryParameters": {
       "q": {
        "absent": true
       }
      },
      "headers": {
       "H": {
        "absent": true
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/ca2",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/ca                                                        | /ca2                                                <<<<< URL does not match\n                                                           |\nH [absent] : (absent)                                      |                                                     <<<<< Header is not present\n                                                           |\nQuery: q [absent] (absent)                                 |                                                     <<<<< Query is not present\n                                                           |\nCookie: t [absent] null                                    |                                                     <<<<< Cookie is not present\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "absent-violated",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "urlPath": "/x",
      "headers": {
       "X-A": {
        "equalTo": "1"
       },
       "X-B": {
        "hasExactly": [
         {
          "equalTo": "1"
         },
         {
          "contains": "2"
         }
        ]
       },
       "Zed": {
        "matches": "q"
       },
       "accept": {
        "absent": true
       }
      },
      "queryParameters": {
       "zz": {
        "equalTo": "a"
       },
       "b": {
        "equalTo": "z"
       },
       "a": {
        "absent": true
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/x?q=b&r=y&a=1",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "X-B",
     "1"
    ],
    [
     "accept",
     "x"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n[path] /x                                                  | /x?q=b&r=y&a=1\n                                                           |\nX-A: 1                                                     |                                                     <<<<< Header is not present\nX-B exactly [equalTo 1 AND contains 2]                     | X-B: 1                                              <<<<< Header does not match\nZed [matches] : q                                          |                                                     <<<<< Header is not present\naccept [absent] : (absent)                                 | accept: x                                           <<<<< Header does not match\n                                                           |\nQuery: zz = a                                              |                                                     <<<<< Query is not present\nQuery: b = z                                               |                                                     <<<<< Query is not present\nQuery: a [absent] (absent)                                 | a: 1                                                <<<<< Query does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "anyurl-method",
   "stubs": [
    {
     "request": {
      "method": "PUT"
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/any",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPUT                                                        | GET                                                 <<<<< HTTP method does not match\n(always)                                                   | /any\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "any-method-url",
   "stubs": [
    {
     "request": {
      "url": "/am"
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/am2",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nANY                                                        | GET\n/am                                                        | /am2                                                <<<<< URL does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "body-empty",
   "stubs": [
    {
     "request": {
      "method": "POST",
      "url": "/be",
      "bodyPatterns": [
       {
        "equalTo": "abc"
       }
      ]
     },
     "response": {}
    }
   ],
   "method": "POST",
   "path": "/be",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": "",
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | POST\n/be                                                        | /be\n                                                           |\n[equalTo]                                                  |                                                     <<<<< Body does not match\nabc                                                        |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "case-insensitive",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/ci",
      "headers": {
       "X-C": {
        "equalTo": "abc",
        "caseInsensitive": true
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/ci",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "X-C",
     "xyz"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/ci                                                        | /ci\n                                                           |\nX-C: abc                                                   | X-C: xyz                                            <<<<< Header does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "header-case",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/hc",
      "headers": {
       "x-lower": {
        "equalTo": "a"
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/hc",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "X-LOWER",
     "b"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/hc                                                        | /hc\n                                                           |\nx-lower: a                                                 | x-lower: b                                          <<<<< Header does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "form-absent",
   "stubs": [
    {
     "request": {
      "method": "POST",
      "url": "/fa",
      "formParameters": {
       "x": {
        "equalTo": "1"
       }
      }
     },
     "response": {}
    }
   ],
   "method": "POST",
   "path": "/fa",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "Content-Type",
     "application/x-www-form-urlencoded"
    ]
   ],
   "body": "y=2",
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | POST\n/fa                                                        | /fa\n                                                           |\nForm: x = 1                                                |                                                     <<<<< Form data is not present\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "multiline-body",
   "stubs": [
    {
     "request": {
      "method": "POST",
      "url": "/mb",
      "bodyPatterns": [
       {
        "equalTo": "line1\nline2"
       }
      ]
     },
     "response": {}
    }
   ],
   "method": "POST",
   "path": "/mb",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": "other1\nother2\nother3",
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | POST\n/mb                                                        | /mb\n                                                           |\n[equalTo]                                                  |                                                     <<<<< Body does not match\nline1                                                      | other1\nline2                                                      | other2\n                                                           | other3\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "name-and-scenario",
   "stubs": [
    {
     "name": "sc",
     "scenarioName": "S",
     "requiredScenarioState": "X",
     "request": {
      "method": "GET",
      "url": "/ns",
      "headers": {
       "A": {
        "equalTo": "1"
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/ns",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "A",
     "2"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nsc                                                         |\n                                                           |\nGET                                                        | GET\n/ns                                                        | /ns\n                                                           |\nA: 1                                                       | A: 2                                                <<<<< Header does not match\n                                                           |\n[Scenario 'S' state: X]                                    | [Scenario 'S' state: Started]                       <<<<< Scenario does not match\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "xml-body",
   "stubs": [
    {
     "request": {
      "method": "POST",
      "url": "/x",
      "bodyPatterns": [
       {
        "equalToXml": "<a><b>1</b></a>"
       }
      ]
     },
     "response": {}
    }
   ],
   "method": "POST",
   "path": "/x",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": "<a><b>2</b></a>",
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | POST\n/x                                                         | /x\n                                                           |\n[equalToXml]                                               |                                                     <<<<< Body does not match\n<a>                                                        | <a>\n  <b>1</b>                                                 |   <b>2</b>\n</a>                                                       | </a>\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "includes-header",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/ih",
      "headers": {
       "X": {
        "includes": [
         {
          "equalTo": "1"
         },
         {
          "contains": "z"
         }
        ]
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/ih",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "X",
     "1"
    ],
    [
     "X",
     "2"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/ih                                                        | /ih\n                                                           |\nX including [equalTo 1 AND contains z]                     | X: 1                                                <<<<< Header does not match\n                                                           | X: 2\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "path-template-nonmatch",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "urlPathTemplate": "/t/{id}/x",
      "pathParameters": {
       "id": {
        "equalTo": "1"
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/t/2/y",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n[path template] /t/{id}/x                                  | /t/2/y                                              <<<<< URL does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "path-template-params",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "urlPathTemplate": "/t/{id}/{k}",
      "pathParameters": {
       "id": {
        "equalTo": "1"
       },
       "k": {
        "absent": true
       },
       "zz": {
        "equalTo": "z"
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/t/2/y",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n[path template] /t/{id}/{k}                                | /t/2/y\n                                                           |\nPath parameter: id = 1                                     | 2                                                   <<<<< Path parameter does not match\nPath parameter: k [absent] null                            | y                                                   <<<<< Path parameter does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "width-80",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/w"
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/w2",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "X-WireMock-Console-Width",
     "80"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                            Request was not matched\n                            =======================\n\n--------------------------------------------------------------------------------\n| Closest stub                          | Request                               |\n--------------------------------------------------------------------------------\n                                        |\nGET                                     | GET\n/w                                      | /w2                              <<<<< URL does not match\n                                        |\n                                        |\n--------------------------------------------------------------------------------\n"
  },
  {
   "name": "logical",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/ao",
      "headers": {
       "X": {
        "and": [
         {
          "contains": "a"
         },
         {
          "contains": "b"
         }
        ]
       },
       "Y": {
        "or": [
         {
          "equalTo": "1"
         },
         {
          "equalTo": "2"
         }
        ]
       },
       "Z": {
        "not": {
         "equalTo": "1"
        }
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/ao",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "X",
     "a"
    ],
    [
     "Y",
     "3"
    ],
    [
     "Z",
     "1"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/ao                                                        | /ao\n                                                           |\nX [and] : contains a AND contains b                        | X: a                                                <<<<< Header does not match\nY [or] : equalTo 1 OR equalTo 2                            | Y: 3                                                <<<<< Header does not match\nZ [not] : 1                                                | Z: 1                                                <<<<< Header does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "custom-matcher",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/ip",
      "customMatcher": {
       "name": "foo"
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/ip",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/ip                                                        | /ip\n                                                           |\n[custom matcher: foo]                                      | [custom matcher: foo]\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "multipart-missing",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/ip",
      "multipartPatterns": [
       {
        "name": "a"
       }
      ]
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/ip",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/ip                                                        | /ip\n                                                           |\n[Multipart request body]                                   |                                                     <<<<< [Multipart request body] is not present\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "closest-by-distance",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/alpha/beta"
     },
     "response": {}
    },
    {
     "request": {
      "method": "GET",
      "url": "/alpha/betx"
     },
     "response": {}
    },
    {
     "request": {
      "method": "GET",
      "url": "/zzzzzz"
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/alpha/bet",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/alpha/betx                                                | /alpha/bet                                          <<<<< URL does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "cookie-multi",
   "stubs": [
    {
     "request": {
      "method": "GET",
      "url": "/cm",
      "cookies": {
       "c": {
        "equalTo": "9"
       }
      }
     },
     "response": {}
    }
   ],
   "method": "GET",
   "path": "/cm",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "Cookie",
     "c=2; c=1"
    ]
   ],
   "body": null,
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nGET                                                        | GET\n/cm                                                        | /cm\n                                                           |\nCookie: c=9                                                | 2                                                   <<<<< Cookie does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "form-multi",
   "stubs": [
    {
     "request": {
      "method": "POST",
      "url": "/fm",
      "formParameters": {
       "f": {
        "includes": [
         {
          "equalTo": "9"
         }
        ]
       },
       "g": {
        "matches": "[0-9]+"
       }
      }
     },
     "response": {}
    }
   ],
   "method": "POST",
   "path": "/fm",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "Content-Type",
     "application/x-www-form-urlencoded"
    ]
   ],
   "body": "f=1&f=2&g=h%20i+j",
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | POST\n/fm                                                        | /fm\n                                                           |\nForm: f including [equalTo 9]                              | f: 1                                                <<<<< Form data does not match\n                                                           | f: 2\nForm: g [matches] [0-9]+                                   | g: h i j                                            <<<<< Form data does not match\n                                                           |\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "contains-body-and-header",
   "stubs": [
    {
     "request": {
      "method": "PUT",
      "url": "/cbh",
      "headers": {
       "Content-Type": {
        "contains": "json"
       }
      },
      "bodyPatterns": [
       {
        "contains": "needle"
       },
       {
        "doesNotContain": "hay"
       }
      ]
     },
     "response": {}
    }
   ],
   "method": "PUT",
   "path": "/cbh",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ],
    [
     "Content-Type",
     "text/plain"
    ]
   ],
   "body": "haystack",
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPUT                                                        | PUT\n/cbh                                                       | /cbh\n                                                           |\nContent-Type [contains] : json                             | Content-Type: text/plain                            <<<<< Header does not match\n                                                           |\n[contains]                                                 |                                                     <<<<< Body does not match\nneedle                                                     | haystack\n[doesNotContain]                                           |                                                     <<<<< Body does not match\nhay                                                        | haystack\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  },
  {
   "name": "json-equal-array-objects",
   "stubs": [
    {
     "request": {
      "method": "POST",
      "url": "/ja",
      "bodyPatterns": [
       {
        "equalToJson": "{\"items\":[{\"id\":1,\"tags\":[\"a\"]},{\"id\":2}],\"empty\":{},\"none\":[]}"
       }
      ]
     },
     "response": {}
    }
   ],
   "method": "POST",
   "path": "/ja",
   "headers": [
    [
     "Host",
     "127.0.0.1:54517"
    ]
   ],
   "body": "{\"items\":[{\"id\":1,\"tags\":[\"a\",\"b\"]}],\"empty\":{},\"none\":[],\"n\":null,\"f\":1.5}",
   "status": 404,
   "diff": "\n                                               Request was not matched\n                                               =======================\n\n-----------------------------------------------------------------------------------------------------------------------\n| Closest stub                                             | Request                                                  |\n-----------------------------------------------------------------------------------------------------------------------\n                                                           |\nPOST                                                       | POST\n/ja                                                        | /ja\n                                                           |\n[equalToJson]                                              |                                                     <<<<< Body does not match\n{                                                          | {\n  \"items\" : [ {                                            |   \"items\" : [ {\n    \"id\" : 1,                                              |     \"id\" : 1,\n    \"tags\" : [ \"a\" ]                                       |     \"tags\" : [ \"a\", \"b\" ]\n  }, {                                                     |   } ],\n    \"id\" : 2                                               |   \"empty\" : { },\n  } ],                                                     |   \"none\" : [ ],\n  \"empty\" : { },                                           |   \"n\" : null,\n  \"none\" : [ ]                                             |   \"f\" : 1.5\n}                                                          | }\n                                                           |\n-----------------------------------------------------------------------------------------------------------------------\n"
  }
 ]
}
"""
)


@pytest.mark.parametrize("case", RECORDED["cases"], ids=[c["name"] for c in RECORDED["cases"]])
def test_recorded_diff_is_byte_identical(case: dict[str, Any]) -> None:
    stubs, scenarios = load_stubs(case["stubs"])
    port = RECORDED["port"]
    req = logged_request(
        case["method"],
        case["path"],
        [(name, value) for name, value in case["headers"]],
        (case["body"] or "").encode(),
        base=f"http://127.0.0.1:{port}",
        request_id="recorded",
    )
    assert case["status"] == 404
    assert ServingOrder(stubs).find(req, scenarios) is None
    nearest = near_misses(stubs, req, scenarios=scenarios)[0]
    text = render_not_matched(req, nearest.stub, scenario_state=nearest.scenario_state)
    assert text == case["diff"]
