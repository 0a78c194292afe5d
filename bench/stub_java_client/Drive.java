import static com.github.tomakehurst.wiremock.client.WireMock.*;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.client.VerificationException;
import java.net.URI;
import java.net.http.*;

/**
 * The official WireMock Java client (its classes are in the standalone jar) driving a server:
 * stubs through the DSL, requests over java.net.http, then the client's admin reads and
 * verifications. bench/stub_fuzz.py --java-client runs it against WireMock and podlab and
 * compares the printed lines.
 */
public class Drive {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    WireMock wm = new WireMock("127.0.0.1", port);
    wm.resetMappings();
    wm.register(get(urlPathEqualTo("/a")).withQueryParam("q", equalTo("1")).willReturn(ok("a1")));
    wm.register(post(urlEqualTo("/j")).withRequestBody(equalToJson("{\"x\":1}", true, true))
        .willReturn(aResponse().withStatus(201).withHeader("X-T", "t").withBody("j")));
    wm.register(put(urlPathMatching("/p/[0-9]+")).withHeader("X-A", matching("[a-z]+"))
        .withRequestBody(matchingJsonPath("$.a", equalTo("2"))).willReturn(aResponse().withStatus(204)));
    wm.register(get("/s").inScenario("S").whenScenarioStateIs("Started").willSetStateTo("Two").willReturn(ok("one")));
    wm.register(get("/s").inScenario("S").whenScenarioStateIs("Two").willReturn(ok("two")));
    wm.register(get(urlPathEqualTo("/t")).willReturn(ok("{{request.path}}-{{request.query.q}}").withTransformers("response-template")));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String base = "http://127.0.0.1:" + port;
    String[][] calls = {
      {"GET", "/a?q=1", null, null}, {"GET", "/a?q=2", null, null}, {"POST", "/j", "{\"x\":1,\"y\":2}", null},
      {"PUT", "/p/12", "{\"a\":2}", "abc"}, {"PUT", "/p/12", "{\"a\":3}", "abc"}, {"GET", "/s", null, null},
      {"GET", "/s", null, null}, {"GET", "/t?q=z", null, null}, {"DELETE", "/nope", null, null}};
    for (String[] c : calls) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + c[1]))
          .method(c[0], c[2] == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(c[2]));
      if (c[3] != null) b.header("X-A", c[3]);
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      String body = r.body().contains("Request was not matched") ? "<404 report>" : r.body();
      System.out.println(c[0] + " " + c[1] + " -> " + r.statusCode() + " " + body.replace("\n", "\\n"));
    }
    System.out.println("stubs: " + wm.allStubMappings().getMappings().size());
    System.out.println("GET /a count: " + wm.find(getRequestedFor(urlPathEqualTo("/a"))).size());
    System.out.println("unmatched: " + wm.findAllUnmatchedRequests().size());
    System.out.println("near misses: " + wm.findNearMissesForAllUnmatchedRequests().size());
    System.out.println("scenarios: " + wm.getAllScenarios().size());
    try { wm.verifyThat(2, getRequestedFor(urlEqualTo("/s"))); System.out.println("verify /s x2: ok"); }
    catch (VerificationException e) { System.out.println("verify failed: " + e.getMessage().split("\n")[0]); }
    try { wm.verifyThat(5, getRequestedFor(urlEqualTo("/s"))); System.out.println("verify /s x5: ok"); }
    catch (VerificationException e) { System.out.println("verify /s x5 failed: " + e.getMessage().split("\n")[0]); }
    try { wm.register(get("/bad").withHeader("X", matching("["))); System.out.println("bad regex taken"); }
    catch (Exception e) { System.out.println("bad regex refused: " + e.getClass().getSimpleName() + " " + e.getMessage().split("\n")[0]); }
    wm.resetScenarios();
    System.out.println("after reset: " + wm.getAllScenarios().size());
  }
}
