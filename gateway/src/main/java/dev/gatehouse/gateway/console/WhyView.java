package dev.gatehouse.gateway.console;

import dev.gatehouse.core.admin.Policies;
import dev.gatehouse.core.clientip.ClientIpResult;
import dev.gatehouse.core.route.RouteExplanation;
import java.util.List;

/**
 * The whole decision for one request, as {@code /why} shows it: the route, the client IP chain, the policies, the
 * sign-in — each section the very record the command line prints ({@code route explain}, {@code client-ip explain},
 * {@code policy check}), made by the same core code.
 *
 * @param form     the question as asked (the form's values)
 * @param recorded the audit row, when asked by request id; else null
 * @param verdict  the outcome in one line
 * @param denied   whether the outcome is a refusal
 * @param route    null when no path was given
 * @param client   null when no address was given
 * @param policy   null when no organisation applies
 * @param notes    what the trace could not know, in words
 */
public record WhyView(Form form, boolean asked, Recorded recorded, String verdict, boolean denied, Route route,
                      Client client, Policy policy, SignIn signIn, List<String> notes) {

    /** The form's fields as given ({@code h}: one header a line). */
    public record Form(String org, String ip, String path, String host, String account, String peer, String headers,
                       String requestId) {
    }

    /** What the audit log holds of the request. */
    public record Recorded(String time, String org, String app, String account, String decision, String status,
                           String reason, String clientIp, String peer, String method, String path, String userAgent) {
    }

    /**
     * {@code route explain}: the routes' verdicts and the winner.
     *
     * @param json       what {@code route explain --json} prints for the same request
     */
    public record Route(RouteExplanation explanation, String winner, Explained json) {
    }

    /** The shape of {@code gatehouse-admin route explain --json}. */
    public record Explained(String host, String path, Integer winner, List<String> upstreams, String binding,
                            List<RouteExplanation.Candidate> routes) {
    }

    /**
     * {@code client-ip explain} with the gateway's trust.
     *
     * @param reconstructed the headers were not recorded and are stood in for (said in the page)
     */
    public record Client(ClientIpResult result, String headers, boolean reconstructed) {
    }

    /** {@code policy check}. */
    public record Policy(String org, String account, Policies.PolicyCheck check) {
    }

    /** Whether the route asks for sign-in, and why, from the gateway's own snapshot. */
    public record SignIn(String state, List<String> providers) {
    }

    /** What the page answers to a JSON client: the three sections, as the command line prints them. */
    public record Json(Explained route, ClientIpResult clientIp, Policies.PolicyCheck policy) {
    }
}
