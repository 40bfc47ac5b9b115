/**
 * A viewer ticket the way an agent gets one: sign in through the login form, then load the
 * viewer page and read the ticket from its config ([JN1], [AV2]). One ticket serves every
 * agent socket of a benchmark (a ticket names the agent and group, not a session).
 */

/** Signs in and returns the `Cookie` header value of the web session. */
export async function signIn(baseUrl: string, username: string, password: string): Promise<string> {
  const form = await fetch(`${baseUrl}/login`);
  const html = await form.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  const csrfCookie = form.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith('oc_csrf='))
    ?.split(';')[0];
  if (!csrf || !csrfCookie) throw new Error(`${baseUrl}/login has no CSRF token (HTTP ${form.status})`);
  const response = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ username, password, csrf, next: '/console' }),
  });
  const session = response.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith('oc_session='))
    ?.split(';')[0];
  if (response.status !== 303 || !session) throw new Error(`sign-in as ${username} at ${baseUrl} failed: HTTP ${response.status}`);
  return session;
}

/** Signs in as `username` and returns a viewer ticket (valid 12 h) for agent sockets. */
export async function fetchViewerTicket(baseUrl: string, username: string, password: string): Promise<string> {
  const cookie = await signIn(baseUrl, username, password);
  const response = await fetch(`${baseUrl}/agentjoin/AgentView.aspx?SessionKey=relay-bench&Wait=1`, { headers: { cookie } });
  const html = await response.text();
  const json = /<script type="application\/json" id="oc-viewer-config">([^<]*)<\/script>/.exec(html)?.[1];
  if (!json) throw new Error(`the viewer page at ${baseUrl} has no config (HTTP ${response.status})`);
  const ticket = (JSON.parse(json) as { ticket?: unknown }).ticket;
  if (typeof ticket !== 'string') throw new Error('the viewer page config has no ticket');
  return ticket;
}
