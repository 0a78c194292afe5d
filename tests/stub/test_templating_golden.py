"""Templates rendered by real WireMock 3.13.2, replayed through podlab's engine.

Every expectation below was produced by the real server: WireMock 3.13.2 standalone (the jar
wiremock.md §10 describes), listening on 127.0.0.1:37047, was given each template as a stub
body with `transformers: ["response-template"]` and then sent the request written next to it; the
recorded response body is `expect`. Where WireMock answered 500 instead, `error` is the first line
of its exception message without Handlebars.java's `inline@<hash>:` template name (the hash is an
identity hash and differs per run), and `error_fragment` a part of it for messages podlab words
differently (Jackson's own parse errors). The requests are rebuilt as podlab LoggedRequests with
the URL, method, headers and body WireMock saw, so `request.baseUrl` and friends agree too.
"""

from __future__ import annotations

from typing import Any

import pytest

from podlab.stub.model.request import LoggedRequest
from podlab.stub.templating import TemplateError, TemplateModel, render_response_template

BASE_URL = "http://127.0.0.1:37047"

CASES: list[dict[str, Any]] = [
    {
        "template": "{{request.query.v.[1]}}",
        "url": "/probe/f4e60e9aa1ba4ba4bff616a7ba65494e/a/b?x=a%20b&v=1&v=2",
        "method": "POST",
        "headers": {"X-Y": "yy", "Cookie": "c=1; d=2"},
        "body": "hello",
        "expect": "2",
    },
    {
        "template": "{{request.query.v.0}}",
        "url": "/probe/3303c5a849684e1ea926d0d55399e646/a/b?x=a%20b&v=1&v=2",
        "method": "POST",
        "headers": {"X-Y": "yy", "Cookie": "c=1; d=2"},
        "body": "hello",
        "expect": "1",
    },
    {
        "template": "{{request.query.missing}}",
        "url": "/probe/838eff624d214490a757ee7bbe4d89d2/a/b?x=a%20b&v=1&v=2",
        "method": "POST",
        "headers": {"X-Y": "yy", "Cookie": "c=1; d=2"},
        "body": "hello",
        "expect": "",
    },
    {
        "template": "{{request.query.x}}",
        "url": "/probe/3b38da2c7d2547bf9141adc1fb6c1182/a/b?x=a%20b&v=1&v=2",
        "method": "POST",
        "headers": {"X-Y": "yy", "Cookie": "c=1; d=2"},
        "body": "hello",
        "expect": "a b",
    },
    {
        "template": "{{request.headers.x-y}}|{{request.headers.X-Y.[0]}}",
        "url": "/probe/17a8bb3be89243789f614db0dc886106/a/b?x=a%20b&v=1&v=2",
        "method": "POST",
        "headers": {"X-Y": "yy", "Cookie": "c=1; d=2"},
        "body": "hello",
        "expect": "yy|yy",
    },
    {
        "template": "{{request.cookies.c}}|{{request.cookies}}",
        "url": "/probe/b031b6be710a41ce8a8930d919a69ea8/a/b?x=a%20b&v=1&v=2",
        "method": "POST",
        "headers": {"X-Y": "yy", "Cookie": "c=1; d=2"},
        "body": "hello",
        "expect": "1|{c=1, d=2}",
    },
    {
        "template": "{{request.host}}|{{request.port}}|{{request.scheme}}|{{request.baseUrl}}|{{request.clientIp}}",
        "url": "/probe/efb49ff081964f96842cb642d934e881/a/b?x=a%20b&v=1&v=2",
        "method": "POST",
        "headers": {"X-Y": "yy", "Cookie": "c=1; d=2"},
        "body": "hello",
        "expect": "127.0.0.1|37047|http|http://127.0.0.1:37047|127.0.0.1",
    },
    {
        "template": "{{request.pathSegments.[2]}}|{{request.path.[3]}}|{{request.pathSegments}}",
        "url": "/probe/e666bfb56db743a2b2deb854a4a9a003/a/b?x=a%20b&v=1&v=2",
        "method": "POST",
        "headers": {"X-Y": "yy", "Cookie": "c=1; d=2"},
        "body": "hello",
        "expect": "a|b|/probe/e666bfb56db743a2b2deb854a4a9a003/a/b",
    },
    {
        "template": "{{request.body}}|{{request.bodyAsBase64}}|{{request.isBinary}}|{{request.isMultipart}}",
        "url": "/probe/7788a1dea6d74cf995e40e2ab683e62f/a/b?x=a%20b&v=1&v=2",
        "method": "POST",
        "headers": {"X-Y": "yy", "Cookie": "c=1; d=2"},
        "body": "hello",
        "expect": "hello|aGVsbG8=|false|false",
    },
    {
        "template": "{{request.requestLine.method}}|{{request.requestLine.query.v}}|{{request.requestLine.pathSegments.[0]}}",
        "url": "/probe/43bd4e0317ed45719e475ba776a8e1a3/a/b?x=a%20b&v=1&v=2",
        "method": "POST",
        "headers": {"X-Y": "yy", "Cookie": "c=1; d=2"},
        "body": "hello",
        "expect": "POST|1|probe",
    },
    {
        "template": "{{request.query.v.first}}|{{request.query.v.last}}|{{request.query.v.size}}",
        "url": "/probe/97340f3291ff4e19b199a50a97e575a2/a/b?x=a%20b&v=1&v=2",
        "method": "POST",
        "headers": {"X-Y": "yy", "Cookie": "c=1; d=2"},
        "body": "hello",
        "expect": "1|2|2",
    },
    {
        "template": "{{request.query}}",
        "url": "/probe/a18dd38830194e8e971650839556b7a0/a/b?x=a%20b&v=1&v=2",
        "method": "POST",
        "headers": {"X-Y": "yy", "Cookie": "c=1; d=2"},
        "body": "hello",
        "expect": "{v=1, x=a b}",
    },
    {
        "template": "{{size request.query.v}}|{{size request.query.x}}",
        "url": "/probe/ae1b67a9ac9c409c80cedc0225a4e90f/a/b?x=a%20b&v=1&v=2",
        "method": "POST",
        "headers": {"X-Y": "yy", "Cookie": "c=1; d=2"},
        "body": "hello",
        "expect": "2|1",
    },
    {
        "template": "{{capitalizeFirst 'hello world'}}|{{center 'ab' size=6}}|{{center 'ab' size=7 "
        "pad='*'}}|{{cut 'a b c'}}|{{cut 'a-b-c' '-'}}|{{defaultIfEmpty '' "
        "'dflt'}}|{{defaultIfEmpty 'x' 'dflt'}}",
        "url": "/probe/7f6e08d7d5b9460e999bd1c1e5b546c1/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "Hello world|  ab  |**ab***|abc|abc|dflt|x",
    },
    {
        "template": "{{join (array 'a' 'b') ', '}}|{{join 'a' 'b' 'c' '-'}}|{{ljust 'ab' size=5}}.|{{rjust "
        "'ab' size=5 pad='0'}}|{{substring 'hello' 1 3}}|{{substring 'hello' 2}}",
        "url": "/probe/e604ffaa2e8348e0afd64c921e2d5c48/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "a, b|a-b-c|ab   .|000ab|el|llo",
    },
    {
        "template": "{{slugify ' Hello World! ~ x '}}|{{stringFormat '%s-%d' 'a' 5}}|{{stripTags '<b>bold</b> "
        "<i>x</i>'}}|{{abbreviate 'Hello World Long' 8}}|{{wordWrap 'aaa bbb ccc' 5}}|{{replace "
        "'a.b.c' '.' '-'}}|{{yesno true}}|{{yesno false}}|{{yesno null}}|{{yesno true yes='Y'}}",
        "url": "/probe/59dbc7afe2ed4d05a2fc431ce8aede3d/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "hello-world--x|a-5|bold x|Hello...|aaa\nbbb\nccc|a-b-c|yes|no|maybe|Y",
    },
    {
        "template": "{{numberFormat 1234.5678}}|{{numberFormat 1234.5678 '0.00'}}|{{numberFormat 0.25 "
        "'percent'}}|{{numberFormat 1234 'integer'}}|{{numberFormat 5 'currency'}}|{{numberFormat "
        "1234.5678 maximumFractionDigits=1}}",
        "url": "/probe/0f839b8c09a94ac384e6a1acbcdd4b73/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "1,234.568|1234.57|25%|1,234|¤5.00|1,234.6",
    },
    {
        "template": "{{capitalize 'hELLO wORLD'}}|{{capitalize 'hELLO wORLD' fully=true}}|{{lower "
        "'ÄB'}}|{{abbreviate 'ab' 8}}",
        "url": "/probe/94569ec0e24849849b9590d2695b232c/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "HELLO WORLD|Hello World|äb|ab",
    },
    {
        "template": "{{trim '  x  '}}|{{urlEncode 'a b&c/d'}}|{{urlEncode 'a+b%20c' "
        "decode=true}}|{{regexExtract 'abc123def' '[0-9]+'}}|{{regexExtract 'abc' "
        "'[0-9]+'}}|{{regexExtract 'abc' '[0-9]+' default='none'}}",
        "url": "/probe/7fa822c4a90e471db6f2789c1b45f49e/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "x|a+b%26c%2Fd|a b c|123|[ERROR: Nothing matched [0-9]+]|none",
    },
    {
        "template": "{{#regexExtract 'a1b22c333' '([a-z])([0-9]+)' "
        "'parts'}}{{parts.0}}-{{parts.1}}{{/regexExtract}}|{{regexExtract 'a1b22' "
        "'([a-z])([0-9]+)' 'parts'}}{{parts.[0]}}{{parts.[1]}}|{{parts}}",
        "url": "/probe/15d1371d0335427f8e46bb3581561097/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "|a1|a",
    },
    {
        "template": "{{contains 'abc' 'b'}}|{{contains 'abc' 'z'}}|{{matches 'abc' '[a-c]+'}}|{{matches "
        "'abcd' '[a-c]+'}}|{{#contains 'abc' 'b'}}yes{{else}}no{{/contains}}|{{#matches 'x' "
        "'y'}}yes{{else}}no{{/matches}}",
        "url": "/probe/12b3a03baca24f6992ef964a47db7ed9/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "true|false|true|false|yes|",
    },
    {
        "template": "{{#contains 'abc' 'z'}}yes{{else}}no{{/contains}}|{{contains (array 'a' 'b') "
        "'b'}}|{{#matches 'x' 'x'}}yes{{else}}no{{/matches}}",
        "url": "/probe/8e6d1344817a43958be2c24559b37a9b/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "|true|yes",
    },
    {
        "template": "{{base64 'hello'}}|{{base64 'aGVsbG8=' decode=true}}|{{base64 'hello' "
        "padding=false}}|{{size (array 1 2)}}|{{size 'abc'}}",
        "url": "/probe/86c9916065c24e4892d05c5dffee96d2/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "aGVsbG8=|hello|aGVsbG8|2|3",
    },
    {
        "template": "{{eq 1 1}}|{{eq 'a' 'a'}}|{{eq 1 '1'}}|{{neq 1 2}}|{{gt 2 1}}|{{gte 2 2}}|{{lt 'a' "
        "'b'}}|{{lte 1 0}}|{{and true false}}|{{or false true}}|{{not false}}|{{not 'x'}}|{{and 1 "
        "'x'}}|{{or '' 0}}",
        "url": "/probe/352fbe054bea4a20b4b5f04ba5ced154/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "true|true|false|true|true|true|true|false|false|true|true|false|true|false",
    },
    {
        "template": "{{eq 1 1 yes='Y' no='N'}}|{{eq 1 2 yes='Y' no='N'}}|{{#eq 1 1}}E{{else}}NE{{/eq}}|{{#and "
        "true true}}A{{else}}NA{{/and}}|{{#not true}}T{{else}}F{{/not}}",
        "url": "/probe/34da97f77d2146d89aadecb2285231d5/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "Y|N|E|A|F",
    },
    {
        "template": "{{isEven 2}}|{{isOdd 2}}|{{isEven 3 'even'}}|{{isOdd 3 'odd'}}|{{#each (array 1 2 "
        "3)}}{{stripes @index 'e' 'o'}}{{/each}}",
        "url": "/probe/f15a64df9e0844879d5c4748d100907a/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "even|||odd|eoe",
    },
    {
        "template": "{{math 1 '+' 2}}|{{math 1.5 '+' 2}}|{{math 10 '/' 4}}|{{math 10 '/' 5}}|{{math 10 '%' "
        "3}}|{{math 2 '*' 3.0}}|{{math 1 '-' 2}}|{{math 'a' '+' 1}}|{{math 1 'x' 1}}|{{math 1 '^' "
        "1}}|{{math 1 '+'}}",
        "url": "/probe/ac1227ba08c44ca7bc54452ac90b25e0/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "3|3.5|3|2|1|6.0|-1|1|1|[ERROR: ^ is not a valid mathematical operator]|[ERROR: All maths "
        "functions require two operands and an operator as parameters e.g. 3 '+' 2]",
    },
    {
        "template": "{{range 1 5}}|{{range 3}}|{{array 1 'b' 3}}|{{array}}|{{arrayAdd (array 1 2) "
        "3}}|{{arrayAdd (array 1 2) 3 position=0}}|{{arrayAdd (array 1 2) 3 "
        "position='start'}}|{{arrayRemove (array 1 2 3) position=1}}|{{arrayRemove (array 1 2 3) "
        "position='end'}}|{{arrayJoin ',' (array 'a' 'b')}}|{{arrayJoin ',' (array 'a' 'b') "
        "prefix='[' suffix=']'}}",
        "url": "/probe/cfb257fe9491447a92c927a8ae0fe8cd/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "[1, 2, 3, 4, 5]|[ERROR: The range helper requires both lower and upper bounds as integer "
        "parameters]|[1, b, 3]|[]|[1, 2, 3]|[3, 1, 2]|[3, 1, 2]|[1, 3]|[1, 2]|a,b|[a,b]",
    },
    {
        "template": "{{assign 'x' 'val'}}{{x}}|{{#assign 'y'}} blk {{/assign}}{{y}}|{{val 'a'}}|{{val null "
        "default='d'}}|{{val 5 assign='z'}}{{z}}|{{lookup (array 'p' 'q') 1}}",
        "url": "/probe/f248321fe5c54c008884ababd80ef002/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "|blk|a|d|5|q",
    },
    {
        "template": "{{#with (range 1 3)}}{{this}}{{/with}}|{{#each (range 1 3)}}{{this}},{{/each}}|{{#if "
        "(array)}}t{{else}}f{{/if}}|{{#if 0}}t{{else}}f{{/if}}|{{#if ''}}t{{else}}f{{/if}}|{{#if "
        "'false'}}t{{else}}f{{/if}}",
        "url": "/probe/94f8c38733aa4da99a55f13c62253706/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "[1, 2, 3]|1,2,3,|f|f|f|t",
    },
    {
        "template": "{{#each (array)}}x{{else}}empty{{/each}}|{{#each (parseJson "
        '\'{"k":1,"j":2}\')}}{{@key}}={{this}}{{#if @first}}F{{/if}}{{#if '
        "@last}}L{{/if}};{{/each}}",
        "url": "/probe/14ea807358c44a2186e343e154048e6c/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "empty|k=1F;j=2L;",
    },
    {
        "template": "{{#if false}}a{{else if true}}b{{else}}c{{/if}}|{{#unless true}}u{{else}}nu{{/unless}}",
        "url": "/probe/7c60af5982864af29f0550a89312d539/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "b|nu",
    },
    {
        "template": "  {{~'x'~}}  |{{! comment }}|{{!-- long }} comment --}}|{{{{raw}}}}{{x}}{{{{/raw}}}}",
        "url": "/probe/f5fbc6badf54434eb12fd4dac0ad344d/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "error": "1:1: found: '{{~', expected: '<EOF>'",
    },
    {
        "template": "a\n{{#if true}}\nx\n{{/if}}\nb",
        "url": "/probe/a0a98157c4f748c38f82728684eaecab/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "a\n\nx\n\nb",
    },
    {
        "template": "{{parameters.greeting}}|{{parameters.n}}|{{parameters.list.[1]}}|{{parameters.obj.k}}|{{parameters}}",
        "url": "/probe/58e2bbd775cb41abbfa58f2814ae3ee3/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "Hi|5|b|v|{greeting=Hi, n=5, list=[a, b], obj={k=v}}",
    },
    {
        "template": "{{#each parameters.list}}{{this}}-{{../parameters.greeting}};{{/each}}|{{#with "
        "parameters.obj}}{{k}}{{/with}}",
        "url": "/probe/2c63d7087d424105aae2e8a6bd942a88/p",
        "method": "GET",
        "parameters": {"greeting": "Hi", "n": 5, "list": ["a", "b"], "obj": {"k": "v"}},
        "expect": "a-Hi;b-Hi;|v",
    },
    {
        "template": "{{jsonPath request.body '$.a.b'}}|{{jsonPath request.body '$.a'}}|{{jsonPath "
        "request.body '$.arr'}}|{{jsonPath request.body '$.arr[*].x'}}|{{jsonPath request.body "
        "'$.missing'}}|{{jsonPath request.body '$.arr[0]'}}|{{jsonPath request.body "
        "'$.n'}}|{{jsonPath request.body '$.f'}}|{{jsonPath request.body '$.t'}}|{{jsonPath "
        "request.body '$.nul'}}|{{jsonPath request.body '$.arr.length()'}}|{{jsonPath "
        "request.body 'bad[['}}",
        "url": "/probe/af6eda1d820247aa8345e00e4f07a5aa/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": "deep|{\n"
        '  "b" : "deep"\n'
        '}|[{"x":1},{"x":2}]|[1,2]||{\n'
        '  "x" : 1\n'
        "}|1.5|false|true||2|[ERROR: bad[[ is not a valid JSONPath expression]",
    },
    {
        "template": "{{jsonPath 'notjson' '$.a'}}|{{jsonPath request.body '$.missing' default='d'}}|{{#each "
        "(jsonPath request.body '$.arr')}}{{x}},{{/each}}|{{#jsonPath request.body "
        "'$.a'}}{{b}}{{/jsonPath}}",
        "url": "/probe/07856d5ce98f456a81632a5681dbe7b7/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": '|d|1,2,|{\n  "b" : "deep"\n}',
    },
    {
        "template": "{{jsonPath request.body '$.arr[?(@.x > 1)]'}}|{{jsonPath request.body "
        "'$..x'}}|{{jsonPath request.body \"$['a']['b']\"}}|{{jsonPath request.body "
        "'$.arr[-1:]'}}",
        "url": "/probe/f4f1489fec4d4a9396773fa7889bd3f3/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": '[{"x":2}]|[null,null,1,2]|deep|[{"x":2}]',
    },
    {
        "template": '{{jsonMerge \'{"a":1,"o":{"p":1}}\' \'{"b":2,"o":{"q":2}}\'}}|{{jsonRemove '
        "'{\"a\":1,\"b\":2}' '$.a'}}|{{jsonArrayAdd '[1,2]' '3'}}|{{jsonArrayAdd "
        "'{\"l\":[1]}' '{\"x\":1}' jsonPath='$.l'}}",
        "url": "/probe/bb38a3dcba974a26b49ef7e85de7ab9f/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": '{"a":1,"o":{"p":1,"q":2},"b":2}|{"b":2}|[1,2,3]|{"l":[1,{"x":1}]}',
    },
    {
        "template": "{{formatJson '{\"a\":null}'}}|{{toJson 'str'}}|{{toJson 5}}|{{toJson (array 1 "
        "'a')}}|{{formatJson '{\"a\":1}' format='compact'}}",
        "url": "/probe/ab1cdb6a01ed4859a804732739b42dd2/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": '{\n  "a" : null\n}|"str"|5|[ 1, "a" ]|{"a":1}',
    },
    {
        "template": "{{#parseJson 'pj'}}{\"a\":[1,2]}{{/parseJson}}{{pj.a.[1]}}|{{parseJson "
        '\'{"x":1.0,"y":[true,null]}\'}}|{{jsonPath \'{"a":[{"b":1}]}\' \'$.a\'}}',
        "url": "/probe/e82b35e464aa4ac097dcd48e899d57bf/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": '2|{x=1.0, y=[true, null]}|[{"b":1}]',
    },
    {
        "template": "{{formatJson request.body}}",
        "url": "/probe/ec54c51b439a4b338ae712416e78c754/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": "{\n"
        '  "a" : {\n'
        '    "b" : "deep"\n'
        "  },\n"
        '  "arr" : [ {\n'
        '    "x" : 1\n'
        "  }, {\n"
        '    "x" : 2\n'
        "  } ],\n"
        '  "n" : 1.50,\n'
        '  "f" : false,\n'
        '  "t" : true,\n'
        '  "nul" : null\n'
        "}",
    },
    {
        "template": "{{toJson (parseJson request.body)}}",
        "url": "/probe/77095270230d4b388dee1f32c38fb982/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": "{\n"
        '  "a" : {\n'
        '    "b" : "deep"\n'
        "  },\n"
        '  "arr" : [ {\n'
        '    "x" : 1\n'
        "  }, {\n"
        '    "x" : 2\n'
        "  } ],\n"
        '  "n" : 1.50,\n'
        '  "f" : false,\n'
        '  "t" : true\n'
        "}",
    },
    {
        "template": "{{#with (parseJson request.body)}}{{a.b}}-{{n}}{{/with}}",
        "url": "/probe/67ef44b155934cd99e2ac37ffbe98768/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": "deep-1.50",
    },
    {
        "template": "{{xPath '<a><b>x</b><b>y</b></a>' '/a/b'}}|{{xPath '<a><b>x</b><b>y</b></a>' "
        "'count(/a/b)'}}|{{xPath '<a><b id=\"i\">x</b></a>' '/a/b/@id'}}|{{xPath 'bad' "
        "'/a'}}|{{xPath '<a/>' '/zz'}}|{{#each (xPath '<a><b>x</b><b>y</b></a>' "
        "'/a/b')}}{{this}};{{/each}}|{{xPath '<a><b><c>1</c></b></a>' '/a/b'}}",
        "url": "/probe/493ba4a4d0584747aac7b863f81d3cab/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": "<b>x</b>\n"
        "|2|i|[ERROR: bad is not valid XML]||<b>x</b>\n"
        ";<b>y</b>\n"
        ";|<b>\n"
        "  <c>1</c>\n"
        "</b>\n",
    },
    {
        "template": "{{soapXPath '<soap:Envelope "
        'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><m>v</m></soap:Body></soap:Envelope>\' '
        "'/m/text()'}}",
        "url": "/probe/70782666b46f43d58b738669af645624/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": "v",
    },
    {
        "template": "{{formatXml '<a><b>x</b></a>'}}",
        "url": "/probe/df1861eb91c94420a10d9c2fed395125/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": "<a>\n  <b>x</b>\n</a>\n",
    },
    {
        "template": "{{date (parseDate '2024-03-05T10:20:30Z') offset='-1 months' format='yyyy-MM-dd "
        "HH:mm:ss.SSS'}}|{{parseDate '2024-03-05T10:20:30Z'}}|{{parseDate '05/03/2024' "
        "format='dd/MM/yyyy'}}|{{parseDate 'junk'}}|{{truncateDate (parseDate "
        "'2024-03-05T10:20:30Z') 'first day of month'}}|{{dateFormat (parseDate "
        "'2024-03-05T10:20:30Z') 'yyyy'}}|{{dateFormat (parseDate '2024-03-05T10:20:30Z') "
        "'full'}}",
        "url": "/probe/1f577378d7bb408a82de7de6a2b405fa/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": "2024-02-05 "
        "10:20:30.000|2024-03-05T10:20:30Z|2024-03-05T00:00:00Z||2024-03-01T00:00:00Z|2024|Tuesday, "
        "March 5, 2024",
    },
    {
        "template": "{{date (parseDate '2024-03-05T10:20:30Z') timezone='Europe/Berlin'}}|{{date (parseDate "
        "'2024-03-05T10:20:30Z') format='EEE, d MMM yyyy HH:mm:ss z'}}|{{date (parseDate "
        "'2024-03-05T10:20:30Z') format='epoch'}}|{{date (parseDate '2024-03-05T10:20:30Z') "
        "format='unix'}}|{{date (parseDate '2024-03-05T10:20:30Z') offset='now +2 years'}}",
        "url": "/probe/3a4c549f84a3426299d8b71df4e3feec/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": "2024-03-05T10:20:30Z|Tue, 5 Mar 2024 10:20:30 "
        "UTC|1709634030000|1709634030|2026-03-05T10:20:30Z",
    },
    {
        "template": "{{truncateDate (parseDate '2024-03-05T10:20:30Z') 'first hour of day'}}|{{truncateDate "
        "(parseDate '2024-03-05T10:20:30Z') 'last day of month'}}|{{truncateDate (parseDate "
        "'2024-03-05T10:20:30Z') 'first day of next year'}}|{{parseDate 'Tue, 05 Mar 2024 "
        "10:20:30 GMT'}}|{{dateFormat (parseDate '2024-03-05T10:20:30Z') 'short'}}|{{dateFormat "
        "(parseDate '2024-03-05T10:20:30Z') 'medium'}}|{{dateFormat (parseDate "
        "'2024-03-05T10:20:30Z') 'long'}}",
        "url": "/probe/cdf6270adcc14f8b8f9c1f4577813517/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": "2024-03-05T00:00:00Z|2024-03-31T00:00:00Z|2025-01-01T00:00:00Z|2024-03-05T10:20:30Z|3/5/24|Mar "
        "5, 2024|March 5, 2024",
    },
    {
        "template": "{{date (parseDate '2024-03-05T10:20:30Z') format=\"yyyy-MM-dd'T'HH:mm:ssXXX hh a D\" "
        "timezone='America/New_York'}}|{{date (parseDate '2024-03-05T10:20:30+02:00')}}",
        "url": "/probe/73e719298d6849aba4e760c7fcab4edf/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":{"b":"deep"},"arr":[{"x":1},{"x":2}],"n":1.50,"f":false,"t":true,"nul":null}',
        "expect": "2024-03-05T10:20:30Z 10 AM 65|2024-03-05T10:20:30+02:00",
    },
    {
        "template": "{{formData request.body 'form'}}{{form.a}}|{{form.b.[1]}}|{{formData request.body 'f2' "
        "urlDecode=true}}{{f2.c}}|{{form.c}}",
        "url": "/probe/556a7a98fc6343c3a0584f25640a12b3/p",
        "method": "POST",
        "body": "a=1&b=2&b=3&c=x%20y",
        "expect": "1|3|x y|x%20y",
    },
    {
        "template": "{{#if a}}",
        "url": "/probe/f1b705702cfb43dcbb12a1ae2beec5f6/p",
        "method": "GET",
        "error": "1:9: found: '<EOF>', expected: '{{/'",
    },
    {
        "template": "{{foo 1}}",
        "url": "/probe/7fa7ea5830f24fcb97210f7e360341db/p",
        "method": "GET",
        "error": "1:2: could not find helper: 'foo'",
    },
    {
        "template": "{{#if a}}x{{/each}}",
        "url": "/probe/6f24829858934387b965c184aec3b29b/p",
        "method": "GET",
        "error": "1:13: found: 'each', expected: 'if'",
    },
    {
        "template": "{{/if}}",
        "url": "/probe/8cc6b63451f34a2c92e3dc9492c634a1/p",
        "method": "GET",
        "error": "1:1: found: '{{/', expected: '<EOF>'",
    },
    {
        "template": "x{{a b=}}",
        "url": "/probe/02688452a6ff4afeb2e5df2cc29ba360/p",
        "method": "GET",
        "error_fragment": "found: '}}', expected: 'no viable alternative at input '}}''",
    },
    {
        "template": "{{#each}}",
        "url": "/probe/48b5a24937bf457088770fd8ca522c5d/p",
        "method": "GET",
        "error": "1:9: found: '<EOF>', expected: '{{/'",
    },
    {
        "template": "{{'abc'}}",
        "url": "/probe/9c5d881ff6bd40f88a7000fa5111d6bd/p",
        "method": "GET",
        "error": "1:1: found: '{{', expected: '<EOF>'",
    },
    {
        "template": "{{a.[b}}",
        "url": "/probe/73b0d7103e2a4c30ac9147175ca36743/p",
        "method": "GET",
        "error": "1:4: found: '[b}}'",
    },
    {
        "template": "{{eq 'x}}",
        "url": "/probe/2b862bb1ca624ad1ab1b3ec0991516b3/p",
        "method": "GET",
        "error": "1:5: found: ''x', expected: '}}'",
    },
    {
        "template": "{{}}",
        "url": "/probe/8a7eb2fabb9e4bfc847d1196e78dbb4d/p",
        "method": "GET",
        "error": "1:1: found: '{{', expected: '<EOF>'",
    },
    {
        "template": "{{> part}}",
        "url": "/probe/7d2d630c389c4fcfa831a606e408ec34/p",
        "method": "GET",
        "error": "1:4: The partial '/part.hbs' at '/part.hbs' could not be found",
    },
    {
        "template": "{{foo}}",
        "url": "/probe/efffa67688044ddfa6ef00846f28065d/p",
        "method": "GET",
        "expect": "",
    },
    {"template": "{{a", "url": "/probe/5f2440c283654472b8aad5026ce6d56a/p", "method": "GET", "expect": "{{a"},
    {
        "template": "\\{{escaped}}",
        "url": "/probe/6ca3badd643242a3848d92f5a3705cf1/p",
        "method": "GET",
        "expect": "\\",
    },
    {
        "template": "{{now offset='bad'}}",
        "url": "/probe/f9baea9603a64870a66bb9e9a53cd232/p",
        "method": "GET",
        "error": "1:2: java.lang.IllegalArgumentException: Offset can be of the short form <amount> <unit> "
        "e.g. 8 seconds or long form now +/-<amount> <unit> e.g. now +5 years",
    },
    {
        "template": "{{parseJson 'bad'}}",
        "url": "/probe/5a739fc416544b13bb67da54b91de951/p",
        "method": "GET",
        "error_fragment": "1:2: com.github.tomakehurst.wiremock.common.JsonException: {",
    },
    {
        "template": "{{formatJson 'bad'}}",
        "url": "/probe/1bca5371fa51449f8d2763f8f17d4bac/p",
        "method": "GET",
        "error_fragment": "JsonParseException: Unrecognized token 'bad': was expecting (JSON String, Number, "
        "Array, Object or token 'null', 'true' or 'false')",
    },
    {
        "template": "{{upper (nohelper 1)}}",
        "url": "/probe/be672b26f17f451db5fd2f34953ec0c5/p",
        "method": "GET",
        "error": "1:9: could not find helper: 'nohelper'",
    },
    {
        "template": "{{math 1 '/' 0}}",
        "url": "/probe/ce4b47cec3714e029e067f37b467207c/p",
        "method": "GET",
        "error": "1:2: java.lang.ArithmeticException: / by zero",
    },
    {
        "template": "{{#each request.query.v}}[{{this}}]{{/each}}",
        "url": "/probe/6275b7df86344d19aa52ea0e62d848e6/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "[1][2]",
    },
    {
        "template": "{{lookup request.query 'x'}}",
        "url": "/probe/2281db5f3ca54c868e2dfd69bc066dc9/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "a b",
    },
    {
        "template": "{{#with request.query.missing}}a{{else}}b{{/with}}|{{#if "
        "request.query.missing}}t{{else}}f{{/if}}",
        "url": "/probe/31a2646bdeb94099a1dd72549e7d20c4/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "b|f",
    },
    {
        "template": "{{gt request.query.n 5}}|{{lt request.query.n.[0] 10}}|{{eq (size request.query.v) 2}}",
        "url": "/probe/067de11f046d43dda8ea04513640234b/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "error": "1:2: java.lang.IllegalArgumentException: Not a comparable: 7",
    },
    {
        "template": "{{join request.query.v ','}}|{{arrayJoin ',' request.query.v}}|{{#arrayJoin ';' (array 1 "
        "2)}}[{{this}}]{{/arrayJoin}}",
        "url": "/probe/dea8de8a99a3488580a78993813fe83c/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "1,2|1,2|[1];[2]",
    },
    {
        "template": "{{regexExtract request.path '/([a-z]+)/([a-z]+)' 'g'}}{{g.[0]}}+{{g.[1]}}",
        "url": "/probe/eec52524d617407fbc9138a078344190/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "probe+eec",
    },
    {
        "template": "{{trim request.body}}|{{upper request.body}}|{{size request.body}}",
        "url": "/probe/b348aacfdab945f597704e29a042eee2/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "Some Body|  SOME BODY  |13",
    },
    {
        "template": "{{request.headers.X-Multi}}|{{request.headers.x-multi.[0]}}|{{request.headers.content-type}}",
        "url": "/probe/16014c3f452d4f73a2d7c7acad288cc9/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "m1|m1|text/plain",
    },
    {
        "template": "{{numberFormat 1234.5 '#,##0.00'}}|{{numberFormat -0.5 'integer'}}|{{numberFormat 2.5 "
        "'integer'}}|{{numberFormat 1234567 groupingUsed=false}}|{{numberFormat 3 "
        "minimumFractionDigits=2}}",
        "url": "/probe/5126efeadaa54f9d9bcb57c5d6062db5/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "1,234.50|-0|2|1234567|3.00",
    },
    {
        "template": "{{stringFormat '%.2f' 3.14159}}|{{stringFormat '%05d' 42}}|{{stringFormat '%s and %s' "
        "'a' 'b'}}|{{stringFormat '%x' 255}}",
        "url": "/probe/ac9210532ca9479eb883d038e5bde28f/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "3.14|00042|a and b|ff",
    },
    {
        "template": "{{math 7 '/' 2.0}}|{{math 1.1 '*' 3}}|{{math 7 '/' 2}}|{{math -7 '%' 3}}|{{math 100000 "
        "'*' 100000}}|{{math '3' '+' '4'}}",
        "url": "/probe/546ab1c47cd443be80d37aca681149a5/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "4|3.3|4|-1|10000000000|7",
    },
    {
        "template": "{{abbreviate 'Hello World' 5}}|{{wordWrap 'a verylongword b' 4}}|{{urlEncode 'ä "
        "€'}}|{{base64 'ä'}}",
        "url": "/probe/019f139ad8a3477d858a786d20aec8ef/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "He...|a\nverylongword\nb|%C3%A4+%E2%82%AC|w6Q=",
    },
    {
        "template": "{{#each (array 'a' 'b' 'c')}}{{#if @first}}F{{/if}}{{@index}}{{this}}{{#if "
        "@last}}L{{/if}}{{/each}}",
        "url": "/probe/58e405492b244d7eaf7ef83e2623a18a/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "F0a1b2cL",
    },
    {
        "template": "{{#each (array (array 1 2) (array 3))}}{{#each this}}{{this}}{{/each}};{{/each}}",
        "url": "/probe/0e48d33e1b22412495a851911b834ebf/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "12;3;",
    },
    {
        "template": "{{date (parseDate '2024-03-05T10:20:30Z') "
        "format=\"yyyy-MM-dd'T'HH:mm:ss.SSSZ\"}}|{{date (parseDate '2024-12-31T23:59:59Z') "
        "offset='1 seconds'}}|{{date (parseDate '2024-01-31T00:00:00Z') offset='1 "
        "months'}}|{{date (parseDate '2024-03-05T10:20:30Z') offset='-3 hours' format='h:mm a'}}",
        "url": "/probe/e958923c23184677a40bc983849634f4/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "2024-03-05T10:20:30.000+0000|2025-01-01T00:00:00Z|2024-02-29T00:00:00Z|7:20 AM",
    },
    {
        "template": "{{parseDate '2024-03-05' }}|{{parseDate '2024-03-05T10:20:30'}}|{{parseDate "
        "'1709634030000' format='epoch'}}|{{parseDate '1709634030' format='unix'}}",
        "url": "/probe/f0d54a2c64364f91ae577898c2b405fa/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "||2024-03-05T10:20:30Z|2024-03-05T10:20:30Z",
    },
    {
        "template": "{{capitalize request.query.x}}|{{slugify 'Ünïcode Tëxt'}}|{{cut "
        "request.query.x}}|{{center request.query.x size=7 pad='-'}}",
        "url": "/probe/3448dbed2ec242bb91af532c85ac42d4/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "A B|ünïcode-tëxt|ab|--a b--",
    },
    {
        "template": "{{#unless request.query.v}}none{{else}}some{{/unless}}|{{not "
        "request.query.missing}}|{{and request.query.x request.query.v}}",
        "url": "/probe/d843ae05c5934ba5bd3dc75b1c93da8f/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "some|true|true",
    },
    {
        "template": "{{#if (contains request.url 'v=2')}}has{{/if}}|{{#if (matches request.query.n "
        "'\\\\d+')}}digits{{/if}}",
        "url": "/probe/5c4ccd6b3d9341648aee5d4711db57d0/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "has|",
    },
    {
        "template": "{{jsonPath (parseJson '{\"a\":{\"b\":[1,2]}}') '$.a.b[1]'}}|{{#with (parseJson "
        '\'{"p":{"q":"r"}}\')}}{{p.q}}{{/with}}|{{size (parseJson \'[1,2,3]\')}}',
        "url": "/probe/edb2acc36e53445a9e075c0944d380ed/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "2|r|3",
    },
    {
        "template": "{{toJson (parseJson '{\"a\":[],\"b\":{}}')}}|{{formatJson '[]'}}|{{formatJson "
        '\'{"x":1.0e3,"y":-0.5,"z":"s\\\\"q"}\'}}',
        "url": "/probe/680bd9082c3742398f3b6ff60b15f858/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "error_fragment": "1:63: wiremock.com.fasterxml.jackson.core.JsonParseException",
    },
    {
        "template": "{{xPath '<r><i>1</i><i>2</i></r>' 'sum(/r/i)'}}|{{xPath '<r a=\"1\"/>' "
        "'string(/r/@a)'}}|{{xPath '<r><i>t</i></r>' '/r/i/text()'}}|{{xPath '<r><i>t</i></r>' "
        "'boolean(/r/i)'}}",
        "url": "/probe/075fe424ac324d97a74658930e8e8fe3/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": "3|1|t|true",
    },
    {
        "template": "{{formatXml '<r><a x=\"1\"><b/></a><c>t</c></r>'}}",
        "url": "/probe/b0f6fc3c52bb4fa091f21381b574771d/a/b?x=a%20b&v=1&v=2&n=7",
        "method": "POST",
        "headers": {"X-Multi": "m1", "Content-Type": "text/plain"},
        "body": "  Some Body  ",
        "expect": '<r>\n  <a x="1">\n    <b/>\n  </a>\n  <c>t</c>\n</r>\n',
    },
    {
        "template": "{{#each (array 'a' 'b') as |item idx|}}{{idx}}:{{item}};{{/each}}",
        "url": "/probe/ef2c17755ac146519262ff980dac7c7a/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "0:a;1:b;",
    },
    {
        "template": "{{#with request.query as |q|}}{{q.k}}{{/with}}",
        "url": "/probe/c9f715e9bb4d48e48ec948ce240959ed/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "kv",
    },
    {
        "template": "{{request.formData.f}}|{{request.formData.g.[1]}}",
        "url": "/probe/196d16505e8546d0b53ee3cdc9af272f/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "|",
    },
    {
        "template": "{{@root.request.query.k}}|{{this.request.query.k}}|{{#with "
        "request}}{{query.k}}-{{../parameters.p}}{{/with}}",
        "url": "/probe/6af53c03bfbd444d90a6b402f01f1550/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "kv|kv|kv-P",
    },
    {
        "template": "{{#each (array 1 2)}}{{#each (array 'x')}}{{@../index}}{{@index}}{{/each}}{{/each}}",
        "url": "/probe/9c7a052240a54d98af7d14f48fba3369/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "0010",
    },
    {
        "template": "{{#if false}}a{{else if false}}b{{else if true}}c{{else}}d{{/if}}",
        "url": "/probe/dbf9b8ff4f4243eeb99f719c58c8dfeb/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "c",
    },
    {
        "template": "a {{~#if true~}} b {{~/if~}} c",
        "url": "/probe/01a24d5a12ae452bac470018e561e634/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "a b c",
    },
    {
        "template": "{{upper (lower (val request.query.k default='Z'))}}|{{val (val null) default=(upper "
        "'sub')}}",
        "url": "/probe/f1c95191b5a741c6bb821c88223848db/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "KV|SUB",
    },
    {
        "template": "{{log 'x'}}|{{lookup request.query 'k'}}|{{lookup parameters 'p'}}",
        "url": "/probe/a5a48a0ffdca4e3f8589ccbe6fd9e546/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "|kv|P",
    },
    {
        "template": "{{#each parameters.m}}{{@key}}={{this}},{{/each}}",
        "url": "/probe/f950880bee354973bb914f1e2f655db7/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "a=1,b=two,",
    },
    {
        "template": "{{#each request.query}}{{@key}}={{this}};{{/each}}",
        "url": "/probe/39607518e8a84eb589247d7fd55c97ee/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "z=2;k=kv;",
    },
    {
        "template": "{{#parameters.m}}{{a}}{{/parameters.m}}|{{^parameters.none}}inv{{/parameters.none}}|{{#parameters.list}}[{{this}}]{{/parameters.list}}",
        "url": "/probe/a6fb3624d4064460af4c3eb2d01a6901/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "1|inv|[1][x]",
    },
    {
        "template": "{{parameters.m}}|{{parameters.list}}|{{parameters.bool}}|{{parameters.num}}|{{parameters.dec}}|{{parameters.nul}}",
        "url": "/probe/04eb133906ef416bbbe936d620c10faf/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "{a=1, b=two}|[1, x]|true|3|1.5|",
    },
    {
        "template": "{{#if parameters.bool}}T{{/if}}|{{#eq parameters.num 3}}three{{/eq}}|{{#eq "
        "parameters.dec 1.5}}dec{{/eq}}",
        "url": "/probe/d043039006e54de7b5cc6b6a184ce756/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "T|three|dec",
    },
    {
        "template": "{{size parameters.m}}|{{size parameters.list}}",
        "url": "/probe/601cfee7d0494aa1907a5c21f7e803d8/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "2|2",
    },
    {
        "template": "{{request.isBinary}}|{{request.isMultipart}}|{{request.parts}}",
        "url": "/probe/662509b5243447e7903e4301c2c23cf8/f?k=kv&z=2",
        "method": "POST",
        "headers": {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
        "body": "f=1&g=a&g=b",
        "parameters": {
            "p": "P",
            "m": {"a": 1, "b": "two"},
            "list": [1, "x"],
            "bool": True,
            "num": 3,
            "dec": 1.5,
            "nul": None,
        },
        "expect": "false|false|{}",
    },
    {
        "template": "a {{~#if true}} b {{/if}} c",
        "url": "/probe/2cee99286a484d1a9fa896fc88238130/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "a  b  c",
    },
    {
        "template": "a {{#if true~}} b {{/if}} c",
        "url": "/probe/2aca507681594e7188a55de0d6bf7720/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "a b  c",
    },
    {
        "template": "a {{#if true}} b {{~/if}} c",
        "url": "/probe/51818ce5305740098df72d184e9d11aa/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "a  b c",
    },
    {
        "template": "a {{#if true}} b {{/if~}} c",
        "url": "/probe/42ed1c659ade47b9b59e16966b44af40/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "a  b  c",
    },
    {
        "template": "a {{~request.method}} b",
        "url": "/probe/af7a60c18bcc46a4b43ccb4f092b80f3/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "a GET b",
    },
    {
        "template": "a {{request.method~}} b",
        "url": "/probe/7a6aa6f7ddd2431da8a1b1ce79104f64/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "a GET b",
    },
    {
        "template": "a {{#if false}} b {{~else~}} e {{/if}} c",
        "url": "/probe/7f10999c03cb4bd9a0e21415e0838894/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "a e  c",
    },
    {
        "template": "a\n  {{~#if true~}}\n  b\n  {{~/if~}}\nc",
        "url": "/probe/e3579e5c250e40cba47207a8520fea84/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "a\n  b\nc",
    },
    {
        "template": "a {{#if true~}} b {{~/if}} c",
        "url": "/probe/fe2730f6a0fc4ee9b773f687d7284f4d/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "a b c",
    },
    {
        "template": "{{#each parameters.m as |v k|}}{{k}}:{{v}},{{/each}}",
        "url": "/probe/e69b4bc2a5cb494ca51ab4d8e2fb6145/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "a:1,b:two,",
    },
    {
        "template": "{{#with parameters.none}}x{{else}}none{{/with}}",
        "url": "/probe/e4ed126804c2435a9fac8a7e79e61ce4/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "none",
    },
    {
        "template": '{{#jsonMerge \'{"a":1}\'}}{"b":2}{{/jsonMerge}}|{{#jsonArrayAdd '
        "'[1]'}}2{{/jsonArrayAdd}}",
        "url": "/probe/98c0750d1212462eb4b433f78806c08d/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": '{"a":1,"b":2}|[1,2]',
    },
    {
        "template": "{{#each (array 'a' 'b') as |x|}}{{#each (array 1) as |y|}}{{x}}{{y}}{{/each}}{{/each}}",
        "url": "/probe/4445ef0adfa04dbea8a85c8693472446/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "a1b1",
    },
    {
        "template": "{{#each (array 'a')}}{{this}}{{.}}{{./length}}{{/each}}",
        "url": "/probe/8b0572e680a647e98173c2a33ceb57a5/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "aa1",
    },
    {
        "template": "{{now format='yyyy' offset='bad units'}}",
        "url": "/probe/e787d779771c47b6bc651650afe6d435/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "error": '1:2: java.lang.NumberFormatException: For input string: "bad"',
    },
    {
        "template": "{{#unless false}}U{{else}}E{{/unless}}|{{#if true}}{{else}}E{{/if}}",
        "url": "/probe/030e3cc90cd9403e91a49d755a7d75c8/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "U|",
    },
    {
        "template": "{{request.query.k.[0].length}}|{{parameters.list.size}}",
        "url": "/probe/b38a80d6ae9b43358ef62a6edb34c47c/f?k=kv",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": "two"}, "list": [1, 2]},
        "expect": "2|2",
    },
    {
        "template": "{{request.isMultipart}}|{{request.parts.f1.body}}|{{request.parts.file.body}}|{{request.parts.file.headers.content-type}}|{{request.parts.f1.bodyAsBase64}}|{{request.parts.file.binary}}|{{request.parts.file.name}}|{{size "
        "request.parts}}|{{#each "
        "request.parts}}{{@key}};{{/each}}|{{request.parts.file.headers}}|{{request.parts.f1}}",
        "url": "/probe/3c9817b366e6484f9e51150730136910/p",
        "method": "POST",
        "headers": {"Content-Type": "multipart/form-data; boundary=XyZ"},
        "body": "--XyZ\r\n"
        'Content-Disposition: form-data; name="f1"\r\n'
        "\r\n"
        "hello\r\n"
        "--XyZ\r\n"
        'Content-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n"
        "\r\n"
        "file body\r\n"
        "--XyZ--\r\n",
        "expect": "true|hello|file "
        "body|text/plain|aGVsbG8=|false|file|2|file;f1;|{content-disposition=form-data; "
        'name="file"; filename="a.txt", content-type=text/plain}|[name=\'f1\', '
        'headers={content-disposition=form-data; name="f1"}, body=hello]',
    },
    {
        "template": "{{request.isMultipart}}|{{request.parts}}|{{request.isBinary}}",
        "url": "/probe/bec5db86eb3e486a94ed3283f7f8ffc7/p",
        "method": "POST",
        "body": "plain",
        "expect": "false|{}|false",
    },
    {
        "template": "{{contains request.headers.Accept 'json'}}|{{#if (contains request.headers.Accept "
        "'json')}}J{{/if}}",
        "url": "/probe/0af0b7327deb465bb52b19ca143de6e0/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "expect": "false|",
    },
    {
        "template": "{{toJson request.query}}",
        "url": "/probe/e3d1819166f649b18c35dcd6b3d6a04e/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "expect": '{\n  "v" : [ "1", "2" ]\n}',
    },
    {
        "template": "{{toJson request.headers.Accept}}",
        "url": "/probe/5ff2b33c2453456692bac83f2cd00931/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "expect": '"application/json, text/plain"',
    },
    {
        "template": "{{toJson request.query.v}}",
        "url": "/probe/34ec67fa3ef34761a23b0b491d611798/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "expect": '[ "1", "2" ]',
    },
    {
        "template": "{{date (parseDate request.headers.X-D) offset='1 days'}}",
        "url": "/probe/09de878a954548ca904331d3e1262386/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "expect": "2024-03-06T10:20:30Z",
    },
    {
        "template": "{{request.headers.[X-D]}}|{{request.query.[v]}}",
        "url": "/probe/1efbb5e74bbc444a896949b7ae7a49e7/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "expect": "Tue, 05 Mar 2024 10:20:30 GMT|1",
    },
    {
        "template": "{{jsonPath request.body '$'}}|{{jsonPath request.body '$.l[?(@.n == \\'b\\')].id'}}",
        "url": "/probe/8e3f77d48276466293ab614fb834340a/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "expect": "{\n"
        '  "l" : [ {\n'
        '    "n" : "a",\n'
        '    "id" : 1\n'
        "  }, {\n"
        '    "n" : "b",\n'
        '    "id" : 2\n'
        "  } ]\n"
        "}|[2]",
    },
    {
        "template": "{{#each (jsonPath request.body '$.l') as |item|}}{{item.id}}{{/each}}",
        "url": "/probe/4718203c72704f868a43b242ec5d923f/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "expect": "12",
    },
    {
        "template": "{{upper (jsonPath request.body '$.l[0].n')}}|{{size (jsonPath request.body "
        "'$.l')}}|{{math (jsonPath request.body '$.l[1].id') '+' 1}}",
        "url": "/probe/3f2ffe2a96924f7994d0d7bf0144948d/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "expect": "A|2|3",
    },
    {
        "template": "{{#each request.query.v}}{{@index}}{{this}}{{/each}}|{{request.query.v.[5]}}",
        "url": "/probe/2570643c90eb44a687e917f60e02a3ea/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "expect": "0112|",
    },
    {
        "template": "{{substring 'hello' 2 10}}",
        "url": "/probe/f5ffcf77bd0840e7989a9aba690b943a/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "error": "1:2: java.lang.StringIndexOutOfBoundsException: begin 2, end 10, length 5",
    },
    {
        "template": "{{abbreviate 'hello world' 3}}",
        "url": "/probe/20fb0fde8ee74d6a8207d6b52f536933/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "error": "1:2: java.lang.IllegalArgumentException: Minimum abbreviation width is 4",
    },
    {
        "template": "{{join request.query.v '-' prefix='<' suffix='>'}}",
        "url": "/probe/f8f0e1b57fab4d0f8e81f8908559bc24/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "expect": "<1-2>",
    },
    {
        "template": "{{stringFormat '%08.3f|%-5s|%5s|%,d' 3.14159 'ab' 'cd' 1234567}}",
        "url": "/probe/4d5760b52e044292ae6006a79ee1caa1/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "expect": "0003.142|ab   |   cd|1,234,567",
    },
    {
        "template": "{{numberFormat 1234.5 'currency' 'en_US'}}|{{numberFormat 0.123 '#.#%'}}|{{numberFormat "
        "12 '000'}}",
        "url": "/probe/1361c17d29644abeb8506d44f84b9c55/p?v=1&v=2",
        "method": "POST",
        "headers": {"Accept": "application/json, text/plain", "X-D": "Tue, 05 Mar 2024 10:20:30 GMT"},
        "body": '{"l":[{"n":"a","id":1},{"n":"b","id":2}]}',
        "expect": "$1,234.50|12.3%|012",
    },
    {
        "template": "{{#foo}}x{{else}}y{{/foo}}",
        "url": "/probe/69a70be058304c07ad591a845dc8d218/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "y",
    },
    {
        "template": "{{#foo 1}}x{{/foo}}",
        "url": "/probe/41e1011289fc4f60bc2b113f840504e0/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": "java.lang.IllegalArgumentException: could not find helper: 'foo'",
    },
    {
        "template": "a{{else}}b",
        "url": "/probe/923c89381e93441ba918263982e93484/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": "1:1: found: '{{', expected: '<EOF>'",
    },
    {
        "template": "{{#if}}x{{/if}}",
        "url": "/probe/a6f0fe58a3914be5b3cb7d1842753e45/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "x",
    },
    {
        "template": "{{^if true}}x{{/if}}",
        "url": "/probe/4f142a08685b418cbc674293e36d59c1/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "x",
    },
    {
        "template": "{{^}}",
        "url": "/probe/08fb477fdfa846f6b57aa9bcdae74816/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": "1:1: found: '{{^', expected: '<EOF>'",
    },
    {
        "template": "{{#with 'str'}}{{this}}{{/with}}",
        "url": "/probe/a680bef45b614b1592530a3ff726478d/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "str",
    },
    {
        "template": "{{#each parameters.m}}{{this}}{{/each}}",
        "url": "/probe/9e9db84eafd5482bafda89437868f59a/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "1",
    },
    {
        "template": "{{lookup parameters}}",
        "url": "/probe/1467c1ab68044c9a8094acfa75b1c569/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "{m={a=1}}",
    },
    {
        "template": "{{#lookup parameters 'm'}}{{a}}{{/lookup}}",
        "url": "/probe/90b0973c5bed477eb4a4478e8f377d59/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "{a=1}",
    },
    {
        "template": "{{eq}}",
        "url": "/probe/82b7c28896c6485085bd73ac29a52d35/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "false",
    },
    {
        "template": "{{eq 1}}",
        "url": "/probe/b9bc6294f5144b61a256320716d79c5f/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "false",
    },
    {
        "template": "{{and}}",
        "url": "/probe/d45b9e6f7ff346a2a96f303110713808/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "true",
    },
    {
        "template": "{{not}}",
        "url": "/probe/df9d13f867794c6fb92c6d0a2df2250c/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "false",
    },
    {
        "template": "{{upper 1}}",
        "url": "/probe/6e2f0cf2934f4eea9d5b3ad970c065bd/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "1",
    },
    {
        "template": "{{size}}",
        "url": "/probe/14f9cc1c030049a18cc175dca74b2e5a/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "2",
    },
    {
        "template": "{{size 5}}",
        "url": "/probe/2446c3edb0904c9baf547cf1b4061014/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "",
    },
    {
        "template": "{{math}}",
        "url": "/probe/729229f49abb460bbcd753a5d1f49263/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "[ERROR: All maths functions require two operands and an operator as parameters e.g. 3 '+' "
        "2]",
    },
    {
        "template": "{{jsonPath}}",
        "url": "/probe/4a2f3917482b4364a070eba66f2d68ef/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "[ERROR: The JSONPath cannot be empty]",
    },
    {
        "template": "{{xPath}}",
        "url": "/probe/fdf143dc311f449eb905010f49963063/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "[ERROR: The XPath expression cannot be empty]",
    },
    {
        "template": "{{array 1 2 3}}",
        "url": "/probe/fb1f8a65a4084c0da2d6b195b367c284/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "[1, 2, 3]",
    },
    {
        "template": "{{randomValue length='x'}}",
        "url": "/probe/384eaf24702e40d0b6c750ef4b4bce42/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": "1:2: java.lang.ClassCastException: class java.lang.String cannot be cast to class "
        "java.lang.Integer (java.lang.String and java.lang.Integer are in module java.base of loader "
        "'bootstrap')",
    },
    {
        "template": "{{randomInt lower=5 upper=5}}",
        "url": "/probe/2f40b42d51954cbd8029cc5d89b27971/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": "1:2: java.lang.IllegalArgumentException: bound must be greater than origin",
    },
    {
        "template": "{{range 5 1}}",
        "url": "/probe/71045b4d297141ada51144a9ab1e59e4/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": "1:2: java.lang.IllegalArgumentException: -3",
    },
    {
        "template": "{{range 'a' 'b'}}",
        "url": "/probe/bab68e60b9c742c08fc8a9daf1b41c6e/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": '1:2: java.lang.NumberFormatException: For input string: "a"',
    },
    {
        "template": "{{arrayAdd 'x' 1}}",
        "url": "/probe/70865d765fb549ea96aa7d89d38c7626/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": "1:2: java.lang.ClassCastException: class java.lang.String cannot be cast to class "
        "java.util.List (java.lang.String and java.util.List are in module java.base of loader "
        "'bootstrap')",
    },
    {
        "template": "{{arrayRemove (array) position=0}}",
        "url": "/probe/d9246ecf7b674691ac22cbb80ca93904/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": "1:2: java.lang.IndexOutOfBoundsException: Index 0 out of bounds for length 0",
    },
    {
        "template": "{{assign}}",
        "url": "/probe/de04526a07dd43da90f8de06168a0697/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": "1:2: java.lang.ClassCastException: class java.util.HashMap cannot be cast to class "
        "java.lang.String (java.util.HashMap and java.lang.String are in module java.base of loader "
        "'bootstrap')",
    },
    {
        "template": "{{#assign}}x{{/assign}}",
        "url": "/probe/404f3580773e4a2f95d00a0844dad8d6/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": "1:3: java.lang.ClassCastException: class java.util.HashMap cannot be cast to class "
        "java.lang.String (java.util.HashMap and java.lang.String are in module java.base of loader "
        "'bootstrap')",
    },
    {
        "template": "{{regexExtract 'a' '['}}",
        "url": "/probe/49485215f62e41aba4257f9a5a4976ce/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "[ERROR: Invalid regex string []",
    },
    {
        "template": "{{matches 'a' '['}}",
        "url": "/probe/081151b469b9452e94c906dae0b64c40/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": "1:2: java.util.regex.PatternSyntaxException: Unclosed character class near index 0",
    },
    {
        "template": "{{parseDate}}",
        "url": "/probe/fa39f80e99694a62914ac520721290f0/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "",
    },
    {
        "template": "{{truncateDate}}",
        "url": "/probe/ef4c7547b1424991bf20e3c84012833f/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "[ERROR: Truncation type must be specified as the first parameter to truncateDate]",
    },
    {
        "template": "{{truncateDate (now) 'bogus'}}",
        "url": "/probe/7dff0b6d617248398385fb331c5f249a/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": "1:2: java.lang.IllegalArgumentException: No enum constant "
        "com.github.tomakehurst.wiremock.common.DateTimeTruncation.BOGUS",
    },
    {
        "template": "{{formatXml 'bad'}}",
        "url": "/probe/ff840ced8fb343949f6c799ca0eed898/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "[ERROR: Input is not valid XML]",
    },
    {
        "template": "{{formatXml}}",
        "url": "/probe/69ea834fae304be9b4aef6b721f57fb2/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "[ERROR: formatXml should take a block of XML to format or a single parameter of type "
        "String]",
    },
    {
        "template": "{{jsonMerge '{}' 'x'}}",
        "url": "/probe/ad11ced2268b4147a967505bc2153656/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "[ERROR: JSON to merge is not valid JSON ('x')]",
    },
    {
        "template": "{{jsonRemove '{}' 'bad'}}",
        "url": "/probe/459f58fd2c9f470da66c8498239d7642/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "{}",
    },
    {
        "template": "{{jsonArrayAdd '{}' '1'}}",
        "url": "/probe/c522bb79e39b47aca71277862040b74c/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "expect": "[ERROR: Target JSON is not a JSON array ('{}')]",
    },
    {
        "template": "{{now timezone='Nope/Zone'}}",
        "url": "/probe/fe40e26011404f4cac0807ee1a646445/p",
        "method": "GET",
        "parameters": {"m": {"a": 1}},
        "error": "1:2: java.time.zone.ZoneRulesException: Unknown time-zone ID: Nope/Zone",
    },
    {
        "template": "{{date (parseDate '2024-07-04T21:05:09.045Z') format='yy-M-d H:m:s S'}}|{{date "
        "(parseDate '2024-07-04T21:05:09.045Z') format='yyyy-MM-dd HH:mm:ss.SSS'}}|{{date "
        "(parseDate '2024-07-04T21:05:09.045Z') format='EEEE MMMM hh a'}}|{{date (parseDate "
        "'2024-07-04T21:05:09.045Z') format='D w u k K'}}",
        "url": "/probe/d45a9fd3fc5043cd9fd4b514950f8838/p",
        "method": "GET",
        "expect": "24-7-4 21:5:9 45|2024-07-04 21:05:09.045|Thursday July 09 PM|186 27 4 21 9",
    },
    {
        "template": "{{date (parseDate '2024-07-04T21:05:09.045Z') format='Z X XX XXX'}}|{{date (parseDate "
        "'2024-07-04T21:05:09.045Z') format='Z X XX XXX z zzzz' timezone='Asia/Kolkata'}}|{{now "
        "timezone='Asia/Kolkata' format='z'}}",
        "url": "/probe/612de82437354de789f21429c7d11463/p",
        "method": "GET",
        "expect": "+0000 Z Z Z|+0000 Z Z Z UTC Coordinated Universal Time|IST",
    },
    {
        "template": "{{date (parseDate '2024-07-04T21:05:09.045Z') format=\"'quoted' ''\"}}|{{date "
        "(parseDate '2024-07-04T21:05:09.045Z') format='G yyyy'}}",
        "url": "/probe/2ffec9217cf14db0b9e2088282f7091b/p",
        "method": "GET",
        "expect": "quoted '|AD 2024",
    },
    {
        "template": "{{truncateDate (parseDate '2024-07-04T21:05:09.045Z') 'first minute of "
        "hour'}}|{{truncateDate (parseDate '2024-07-04T21:05:09.045Z') 'last day of "
        "year'}}|{{truncateDate (parseDate '2024-07-04T21:05:09.045Z') 'first day of year'}}",
        "url": "/probe/8ae6bee63c3441d38ee4f028725d1bb1/p",
        "method": "GET",
        "expect": "2024-07-04T21:00:00Z|2024-12-31T00:00:00Z|2024-01-01T00:00:00Z",
    },
    {
        "template": "{{numberFormat 1234567.891 '#,##0.0#'}}|{{numberFormat 0.5 '0'}}|{{numberFormat 1.5 "
        "'0'}}|{{numberFormat -1234.5}}|{{numberFormat 1000000 'integer'}}|{{numberFormat "
        "0.00012}}",
        "url": "/probe/8c32c237609743e794efc61e68ddfffc/p",
        "method": "GET",
        "expect": "1,234,567.89|0|2|-1,234.5|1,000,000|0",
    },
    {
        "template": "{{numberFormat 12.3456 maximumFractionDigits=2 minimumFractionDigits=2}}|{{numberFormat "
        "5 minimumIntegerDigits=3}}|{{numberFormat 'abc'}}",
        "url": "/probe/9e71c640cec54af8acc700bbe12e22f7/p",
        "method": "GET",
        "expect": "12.35|005|",
    },
    {
        "template": "{{stringFormat '%d%%' 50}}|{{stringFormat '%5.1f|' 3.14159}}|{{stringFormat '%b %c %S' "
        "true 'xyz' 'up'}}|{{stringFormat '%2$s %1$s' 'a' 'b'}}|{{stringFormat '%e' 12345.678}}",
        "url": "/probe/d4dc13dd5135411a9c74603def1ca0e7/p",
        "method": "GET",
        "error": "1:63: java.util.IllegalFormatConversionException: c != java.lang.String",
    },
    {
        "template": "{{xPath '<a xmlns=\"urn:x\"><b>ns</b></a>' '/a/b/text()'}}|{{xPath "
        "'<a><b>1</b><b>2</b></a>' '/a/b[2]/text()'}}|{{xPath '<a><b>1</b></a>' "
        "'name(/a/*)'}}|{{xPath '<a><b>  sp  </b></a>' '/a/b/text()'}}",
        "url": "/probe/e6165baa86b34d7baf8145464367a8d4/p",
        "method": "GET",
        "expect": "ns|2|b|  sp  ",
    },
    {
        "template": "{{xPath '<?xml version=\"1.0\"?><a><b>d</b></a>' '/a/b'}}|{{formatXml '<?xml "
        'version="1.0"?><a><b>x</b><c/></a>\'}}',
        "url": "/probe/3e5ff07b1fce421d8cbe1bbedbb15f11/p",
        "method": "GET",
        "expect": "<b>d</b>\n|<a>\n  <b>x</b>\n  <c/>\n</a>\n",
    },
    {
        "template": "{{#each (xPath '<a><b>1</b><b>2</b></a>' '/a/b/text()')}}{{this}},{{/each}}|{{size "
        "(xPath '<a><b>1</b><b>2</b></a>' '/a/b')}}",
        "url": "/probe/b55b66b817fe428387a7341c67641307/p",
        "method": "GET",
        "expect": "1,2,|2",
    },
    {
        "template": "{{wordWrap 'The quick brown fox jumps' 10}}|{{center 'abc' size=2}}|{{ljust 'abcdef' "
        "size=3}}|{{defaultIfEmpty null 'n'}}|{{yesno 'x'}}",
        "url": "/probe/b8ec898ffd8e41619680329828ad9484/p",
        "method": "GET",
        "error": "1:124: java.lang.IllegalArgumentException: found 'x', expected 'boolean'",
    },
    {
        "template": "{{capitalizeFirst ''}}|{{abbreviate '' 4}}|{{cut 'aaa' 'a'}}|{{replace 'aaa' 'a' "
        "'bb'}}|{{stripTags '<a href=\"x\">l</a><br/>t'}}|{{lower null}}|{{upper null}}",
        "url": "/probe/14c49482ccee49dc95b7cb225e8b46c1/p",
        "method": "GET",
        "expect": "|4||bbbbbb|lt||",
    },
    {
        "template": "{{join (array) ','}}|{{join (array 1 (array 2 3)) '+'}}|{{arrayJoin '' (array 'x' 'y')}}",
        "url": "/probe/d6be0f9262aa426f994f59fa03f0f057/p",
        "method": "GET",
        "expect": "|1+[2, 3]|xy",
    },
    {
        "template": "{{base64 'aGk' decode=true}}|{{base64 '' }}|{{urlEncode ''}}|{{urlEncode 'ü~*-._'}}",
        "url": "/probe/7f0f79ddbcb047eea8f2f63b65b77732/p",
        "method": "GET",
        "expect": "hi|||%C3%BC%7E*-._",
    },
    {
        "template": "{{numberFormat 1e3}}",
        "url": "/probe/5d1aa0fda2ed450fb84b506975aa0b59/p",
        "method": "GET",
        "error": "1:15: found: '1e3', expected: '}}'",
    },
    {
        "template": "[{{upper hostname}}]",
        "url": "/probe/d4bb6766426c4dad9bba6bd33bbffc8e/p",
        "method": "GET",
        "expect": "[]",
    },
    {
        "template": "[{{#if now}}T{{else}}F{{/if}}]",
        "url": "/probe/c46932fc3a80467bbf5a931669203b26/p",
        "method": "GET",
        "expect": "[F]",
    },
    {
        "template": "[{{size array}}]",
        "url": "/probe/a392a78b91774225a40610061538982d/p",
        "method": "GET",
        "error": '1:2: java.lang.NullPointerException: Cannot invoke "Object.getClass()" because "context" is '
        "null",
    },
    {
        "template": "{{size request.query.nope}}",
        "url": "/probe/531728d683ab4a83a98a78b6b6ed483f/p",
        "method": "GET",
        "error": '1:2: java.lang.NullPointerException: Cannot invoke "Object.getClass()" because "context" is '
        "null",
    },
    {
        "template": "ab{{size array}}",
        "url": "/probe/df48d5db1cdb4311966cebf35e74100b/p",
        "method": "GET",
        "error": '1:2: java.lang.NullPointerException: Cannot invoke "Object.getClass()" because "context" is '
        "null",
    },
    {
        "template": "x\n{{size array}}",
        "url": "/probe/43be1096f43c441fb41735ca6d982f5a/p",
        "method": "GET",
        "error": '1:2: java.lang.NullPointerException: Cannot invoke "Object.getClass()" because "context" is '
        "null",
    },
    {
        "template": "a{{request.url}}b{{size array}}",
        "url": "/probe/3d0f5e434dfd43538d5d663bdc49cffc/p",
        "method": "GET",
        "error": '1:18: java.lang.NullPointerException: Cannot invoke "Object.getClass()" because "context" '
        "is null",
    },
    {
        "template": "ab{{foo 1}}",
        "url": "/probe/48b11977e0b940599b1e49340f706e62/p",
        "method": "GET",
        "error": "1:2: could not find helper: 'foo'",
    },
    {
        "template": "a{{request.url}}b{{foo 1}}",
        "url": "/probe/7b208f3ffb90416f90fcf2904a24557d/p",
        "method": "GET",
        "error": "1:18: could not find helper: 'foo'",
    },
    {
        "template": "ab{{#if a}}",
        "url": "/probe/535ce7bb8b2d47c280590779ef3b294e/p",
        "method": "GET",
        "error": "1:9: found: '<EOF>', expected: '{{/'",
    },
    {
        "template": "abc{{/if}}",
        "url": "/probe/d43fa32774b049a59781e39166b689f4/p",
        "method": "GET",
        "error": "1:1: found: '{{/', expected: '<EOF>'",
    },
    {
        "template": "pre {{#if true}}\n  {{/each}} post",
        "url": "/probe/c894ac38181847859ceb2e1113d77988/p",
        "method": "GET",
        "error": "2:5: found: 'each', expected: 'if'",
    },
    {
        "template": "a{{else}}b",
        "url": "/probe/c6a0b4d7be30431786f8f6f5502234ff/p",
        "method": "GET",
        "error": "1:1: found: '{{', expected: '<EOF>'",
    },
    {
        "template": "  {{~'x'~}}  ",
        "url": "/probe/d5f0e220a1654c55bb9319aa0cb05406/p",
        "method": "GET",
        "error": "1:1: found: '{{~', expected: '<EOF>'",
    },
    {
        "template": "x{{a b=}}y",
        "url": "/probe/b8e50539754648f183d968998ee3101d/p",
        "method": "GET",
        "error": "1:6: found: '}}', expected: 'no viable alternative at input '}}''",
    },
    {
        "template": "a }} b {{",
        "url": "/probe/e027e9f678644b6895543341cb7fbc30/p",
        "method": "GET",
        "error": "java.lang.StringIndexOutOfBoundsException: begin 7, end 4, length 9",
    },
    {
        "template": "}}{{",
        "url": "/probe/ef8d4535bb2c408081769475114d92e8/p",
        "method": "GET",
        "expect": "}}{{",
    },
    {
        "template": "x}}{{y",
        "url": "/probe/d14de317e7c6438a82eef7ed8aa40792/p",
        "method": "GET",
        "expect": "x}}{{y",
    },
    {
        "template": "{{}} z",
        "url": "/probe/c0fc9061c50e4ca4aa51b1abdd7e6278/p",
        "method": "GET",
        "error": "1:1: found: '{{', expected: '<EOF>'",
    },
    {
        "template": "{{#each (jsonPath request.body '$.things') as |thing|}}{{thing.name}};{{/each}}",
        "url": "/probe/e04112225bda4843bb97e9ffbf40c125/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"things":[{"name":"A","id":1},{"name":"RequiredThing","id":42}],"ids":["x","y"],"n":2.5,"big":12345678901,"s":"é\\u00e8","nested":{"k":[true,null]}}',
        "expect": "A;RequiredThing;",
    },
    {
        "template": "{{jsonPath request.body \"$.things[?(@.name == 'RequiredThing')].id\"}}|{{jsonPath "
        "request.body '$.things[?(@.id > 1)].name'}}",
        "url": "/probe/926da2b6a3324ae1983403dd38b623ef/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"things":[{"name":"A","id":1},{"name":"RequiredThing","id":42}],"ids":["x","y"],"n":2.5,"big":12345678901,"s":"é\\u00e8","nested":{"k":[true,null]}}',
        "expect": '[42]|["RequiredThing"]',
    },
    {
        "template": "{{lookup (parseJson request.body) 'n'}}|{{math 1 '+' (jsonPath request.body "
        "'$.n')}}|{{jsonPath request.body '$.big'}}|{{jsonPath request.body '$.s'}}",
        "url": "/probe/d0d3d4ad58c94e74abe6bc4a6a24444a/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"things":[{"name":"A","id":1},{"name":"RequiredThing","id":42}],"ids":["x","y"],"n":2.5,"big":12345678901,"s":"é\\u00e8","nested":{"k":[true,null]}}',
        "expect": "2.5|3.5|12345678901|éè",
    },
    {
        "template": "{{#if (and (eq 1 1) (not false))}}ok{{/if}}|{{arrayJoin ',' (jsonPath request.body "
        "'$.ids')}}|{{join (jsonPath request.body '$.ids') ','}}",
        "url": "/probe/94d27ca53bc14cc1a7a37e5e41ed7a08/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"things":[{"name":"A","id":1},{"name":"RequiredThing","id":42}],"ids":["x","y"],"n":2.5,"big":12345678901,"s":"é\\u00e8","nested":{"k":[true,null]}}',
        "expect": "ok|x,y|x,y",
    },
    {
        "template": "{{jsonPath request.body '$.ids'}}|{{jsonPath request.body '$.nested'}}|{{jsonPath "
        "request.body '$.nested.k'}}|{{jsonPath request.body '$.things.length()'}}",
        "url": "/probe/284426dc919346f2a9700e3c53a5c10c/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"things":[{"name":"A","id":1},{"name":"RequiredThing","id":42}],"ids":["x","y"],"n":2.5,"big":12345678901,"s":"é\\u00e8","nested":{"k":[true,null]}}',
        "expect": '["x","y"]|{\n  "k" : [ true, null ]\n}|[true,null]|2',
    },
    {
        "template": "{{#each (jsonPath request.body '$.ids')}}{{@index}}:{{this}} {{/each}}|{{size (jsonPath "
        "request.body '$.things')}}|{{#with (jsonPath request.body "
        "'$.things[1]')}}{{name}}{{/with}}",
        "url": "/probe/2d3c0dac0d2b422c9808a714cea13faa/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"things":[{"name":"A","id":1},{"name":"RequiredThing","id":42}],"ids":["x","y"],"n":2.5,"big":12345678901,"s":"é\\u00e8","nested":{"k":[true,null]}}',
        "expect": "0:x 1:y |2|RequiredThing",
    },
    {
        "template": "{{parseJson request.body}}",
        "url": "/probe/4a836411e2904b90830f9b6f76e9d3b7/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"things":[{"name":"A","id":1},{"name":"RequiredThing","id":42}],"ids":["x","y"],"n":2.5,"big":12345678901,"s":"é\\u00e8","nested":{"k":[true,null]}}',
        "expect": "{things=[{name=A, id=1}, {name=RequiredThing, id=42}], ids=[x, y], n=2.5, big=12345678901, "
        "s=éè, nested={k=[true, null]}}",
    },
    {
        "template": "{{toJson (jsonPath request.body '$.things')}}|{{formatJson (jsonPath request.body "
        "'$.nested')}}",
        "url": "/probe/d9555b3c39cf4d37985928090f275486/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"things":[{"name":"A","id":1},{"name":"RequiredThing","id":42}],"ids":["x","y"],"n":2.5,"big":12345678901,"s":"é\\u00e8","nested":{"k":[true,null]}}',
        "expect": "[ {\n"
        '  "name" : "A",\n'
        '  "id" : 1\n'
        "}, {\n"
        '  "name" : "RequiredThing",\n'
        '  "id" : 42\n'
        "} ]|[ERROR: formatJson should take a block of JSON to format or a single parameter of type "
        "String]",
    },
    {
        "template": "{{jsonPath request.body '$..name'}}|{{jsonPath request.body '$.things[*]'}}|{{jsonPath "
        "request.body '$.things[0:1]'}}",
        "url": "/probe/db1198e819c543629058d5be3957db47/p",
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"things":[{"name":"A","id":1},{"name":"RequiredThing","id":42}],"ids":["x","y"],"n":2.5,"big":12345678901,"s":"é\\u00e8","nested":{"k":[true,null]}}',
        "expect": '[null,"A","RequiredThing",null]|[{"name":"A","id":1},{"name":"RequiredThing","id":42}]|[{"name":"A","id":1}]',
    },
    {
        "template": "{{gt (parseDate '2024-01-02T00:00:00Z') (parseDate '2024-01-01T00:00:00Z')}}|{{lt "
        "(parseDate '2024-01-02T00:00:00Z') (parseDate '2024-01-01T00:00:00Z')}}|{{eq (parseDate "
        "'2024-01-02T00:00:00Z') (parseDate '2024-01-02T00:00:00Z')}}",
        "url": "/probe/e4744ae88fe3473dbe17533b2dde2a99/p",
        "method": "GET",
        "expect": "true|false|true",
    },
    {
        "template": "{{#if (parseDate '2024-01-02T00:00:00Z')}}T{{/if}}|{{size (parseDate "
        "'2024-01-02T00:00:00Z')}}",
        "url": "/probe/c51e1d2f9e6743999f530c989c451fd0/p",
        "method": "GET",
        "expect": "T|",
    },
    {
        "template": "{{#each (array 1 2)}}{{@first}}-{{@last}}-{{@odd}}-{{@even}}-{{@index}};{{/each}}",
        "url": "/probe/f1e8532ab2f64b2880abe6409911c756/p",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": 2}},
        "expect": "first---even-0;-last-odd--1;",
    },
    {
        "template": "{{#each parameters.m}}{{@index}}{{@key}}{{@first}};{{/each}}",
        "url": "/probe/c15ae73a5c784e9faafb19aef4f26aa9/p",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": 2}},
        "expect": "0afirst;1b;",
    },
    {
        "template": "{{#each (array 1 2)}}{{#if @even}}E{{/if}}{{/each}}",
        "url": "/probe/1c514a9945194aff9b386a161be5a2af/p",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": 2}},
        "expect": "E",
    },
    {
        "template": "{{@root.parameters.m.a}}|{{@foo}}|{{#with "
        "parameters.m}}{{@root.parameters.m.b}}{{/with}}",
        "url": "/probe/f17848bd7afa4036aedd0259762a44e8/p",
        "method": "GET",
        "parameters": {"m": {"a": 1, "b": 2}},
        "expect": "1||2",
    },
]


def model_for(case: dict[str, Any]) -> TemplateModel:
    request = LoggedRequest.from_json(
        {
            "url": case["url"],
            "method": case["method"],
            "headers": case.get("headers", {}),
            "body": case.get("body", ""),
            "absoluteUrl": BASE_URL + case["url"],
            "clientIp": "127.0.0.1",
        }
    )
    return TemplateModel.from_request(request, parameters=case.get("parameters"))


def without_template_name(message: str) -> str:
    first_line = message.split("\n")[0]
    return first_line.split(":", 1)[1] if first_line.startswith("inline@") else first_line


@pytest.mark.parametrize("case", CASES, ids=[c["template"][:60] for c in CASES])
def test_renders_as_wiremock_does(case: dict[str, Any]) -> None:
    model = model_for(case)
    if "expect" in case:
        assert render_response_template(case["template"], model) == case["expect"]
        return
    with pytest.raises(TemplateError) as raised:
        render_response_template(case["template"], model)
    if "error" in case:
        assert without_template_name(str(raised.value)) == case["error"]
    else:
        assert case["error_fragment"] in str(raised.value)


def test_compile_errors_show_the_line_and_a_caret() -> None:
    # WireMock 3.13.2 answered: inline@6d73efac:2:5: found: 'each', expected: 'if' / the line / a
    # caret. Positions count from the first `{{` (text before it never reaches Handlebars).
    model = model_for({"url": "/", "method": "GET"})
    with pytest.raises(TemplateError) as raised:
        render_response_template("pre {{#if true}}\n  {{/each}} post", model)
    name, rest = str(raised.value).split(":", 1)
    assert name.startswith("inline@")
    assert rest == "2:5: found: 'each', expected: 'if'\n  {{/each}}\n     ^"
