// The --help texts: one overview and one page per command. Kept apart from the parser
// so the wording can change without touching the logic.

export const VERSION = '0.1.0';

const TARGETS = `Target (one of):
  --server NAME         a server configured in .vscode/mcp.json (searched from the current
                        directory upward) or in the VS Code user setting mcpHost.servers;
                        the workspace's definition wins over a user server of that name
      --trust-workspace start a server the workspace defines (or one that uses files of
                        the workspace) without asking; otherwise its first run shows the
                        command line and asks on the terminal, and fails without one
  --url URL             a remote server: Streamable HTTP, falling back to legacy HTTP+SSE
                        (ws:// and wss:// URLs use WebSocket)
      --transport T     force the remote transport: http (Streamable HTTP, no fallback),
                        sse (legacy HTTP+SSE) or ws
  -H, --header "K: V"   an HTTP header for --url (repeatable)
  --stdio "CMD ARGS…"   a local server started with this command line (quotes work as in
                        a shell; or put the command after "--"; with --server, --url
                        or --stdio, "--" ends the options: a TOOL, URI or NAME that
                        starts with "-" goes after it)
  -e, --env NAME=VALUE  an environment variable for --stdio (repeatable)
      --name NAME       the server's name in messages (default: from the command or URL)`;

const SIGN_IN = `Signing in (servers behind OAuth, --url or --server): on the server's first 401 the
authorization page opens with $BROWSER (a command; the URL replaces %s or goes last), else
the system's opener, and its URL is printed; the browser comes back to a listener on
127.0.0.1. The client is registered with the authorization server by itself, unless:
      --client-id ID    a client registered in advance (with the definition's "oauth")
      --client-secret S its secret: S, @FILE or - (stdin); also MCP_HOST_CLIENT_SECRET
      --client-auth M   how it authenticates: basic, post, none or private_key_jwt
      --private-key FILE  a PKCS#8 PEM key for private_key_jwt (--signing-alg ES256…)
      --grant G         authorization_code (the browser; default), client_credentials,
                        jwt-bearer (--assertion JWT|@FILE|-: a workload's token) or
                        id-jag (--idp-token-endpoint URL --idp-client-id ID
                        --id-token JWT|@FILE|-: your company's identity provider)
      --scope "A B"     the scopes to ask for (default: what the server names)
      --client-metadata-url URL
                        the client's metadata document (used where the server accepts one)
      --no-dpop         never ask for DPoP-bound tokens
      --store           keep sign-ins in the credentials file (readable by you alone)
                        without asking; --no-store keeps them for this run only; without
                        either, a terminal asks when a sign-in arrives (else: this run only)`;

const REQUEST = `Request options:
  -t, --timeout MS      timeout of each request, the handshake included (default 60000);
                        progress from the server restarts it, up to 10 minutes (or MS)
      --json            print the raw MCP result as JSON (for scripts)
      --progress        show progress on stderr even when it is not a terminal
  -v, --verbose         show the server's stderr, its log messages and protocol warnings
      --protocol-version V
                        speak exactly this MCP revision: 2026-07-28 (stateless) or
                        2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05 (default: ask the
                        server with server/discover, fall back to initialize)
      --root DIR        a root the server may use (repeatable; default: the current
                        directory)
      --no-roots        offer no roots at all (the roots capability is not declared)
      --elicit MODE     answer the server's elicitation requests without asking:
                        accept-defaults | decline | cancel (default on a terminal: ask
                        field by field; without a terminal: decline)
      --sampling-command CMD
                        answer sampling requests with this command: it gets the request
                        params as JSON on stdin and prints a CreateMessageResult (JSON)
                        or plain text; without it, sampling requests are declined
                        (also MCP_HOST_SAMPLING_COMMAND)`;

export const EXIT_CODES = `Exit codes:
  0    success
  1    the tool reported an error (isError: true)
  2    usage or configuration error (also: a server you did not allow to start, a
       file --save would have replaced)
  3    connection or server error (could not start or reach it, it died, it answered
       with a JSON-RPC error)
  4    timeout
  5    a skill was refused: a file failed verification (size, digest, frontmatter) or
       its entry breaks SEP-2640; nothing was saved
  6    signing in failed or is needed (refused, cancelled, or a check failed: state,
       issuer, PKCE, the resource the token is for)
  130  cancelled (Ctrl-C, SIGTERM or SIGHUP; the server is sent notifications/cancelled)`;

const ENVIRONMENT = `Environment:
  MCP_HOST_INPUT_<ID>   the value of \${input:ID} in the configuration (ID upper-cased,
                        other characters as "_"), for the server whose definition names
                        that input (\${env:…} cannot read it); asked on the terminal
                        otherwise
  MCP_HOST_SETTINGS     the VS Code settings.json to read mcpHost.servers from (empty: none)
  MCP_HOST_CONSENT_FILE where the servers you allowed to start are remembered (default:
                        $XDG_CONFIG_HOME/mcp-host/consent.json, else
                        ~/.config/mcp-host/consent.json; on Windows
                        %APPDATA%\\mcp-host\\consent.json; empty: remember nothing)
  MCP_HOST_SAMPLING_COMMAND  as --sampling-command
  MCP_HOST_CREDENTIALS_FILE  where --store keeps sign-ins (default:
                        $XDG_CONFIG_HOME/mcp-host/credentials.json, else ~/.config/…;
                        on Windows %APPDATA%\\mcp-host\\credentials.json)
  BROWSER               the command that opens the sign-in page`;

export const OVERVIEW = `mcp-host ${VERSION} — a Model Context Protocol client for the terminal

Usage:
  mcp-host servers [--json]
  mcp-host tools|resources|templates|prompts TARGET
  mcp-host describe TOOL TARGET
  mcp-host call TOOL [--args JSON|@FILE|-] TARGET
  mcp-host read URI TARGET
  mcp-host prompt NAME [--args JSON|@FILE|-] TARGET
  mcp-host skills TARGET
  mcp-host skill NAME_OR_URI [--save DIR [--force]] TARGET
  mcp-host login|logout TARGET
  mcp-host gateway --stdio [--expose NAME,NAME…] [--no-prefix] [--trust-workspace]
  mcp-host COMMAND --help

Commands:
  servers     list the configured servers (without starting them)
  tools       list the server's tools and their arguments
  describe    show one tool in full: description, input and output schema
  resources   list the server's resources
  templates   list the server's resource templates
  prompts     list the server's prompts and their arguments
  call        call a tool
  read        read a resource
  prompt      get a prompt
  skills      list the server's skills (SEP-2640; nothing of them is read)
  skill       show a skill's SKILL.md, verified; with --save, save the whole skill
  login       sign in to a server behind OAuth and keep the sign-in (credentials file)
  logout      revoke and forget the kept sign-in of a server
  gateway     every configured server behind one MCP server on stdio (mcp-host gateway --help)

${TARGETS}

${REQUEST}

${SIGN_IN}

The server's requests are answered here: roots are the current directory (or each
--root DIR; none with --no-roots), and a server that asks for them right after starting
gets them applied before the command runs; elicitation asks on the terminal (or follows
--elicit); sampling is declined unless a provider is configured (--sampling-command).

${ENVIRONMENT}

${EXIT_CODES}

Examples:
  mcp-host tools --stdio "npx -y @modelcontextprotocol/server-everything"
  mcp-host call echo --args '{"message":"hi"}' --server everything
  mcp-host read demo://resource/static/document/features.md --url http://localhost:3001/mcp
  mcp-host call get-tiny-image --save out/ -- npx -y @modelcontextprotocol/server-everything
`;

const page = (usage: string, what: string, extra = '') =>
  `Usage: ${usage}\n\n${what}\n\n${TARGETS}\n\n${REQUEST}${extra ? `\n\n${extra}` : ''}\n\n${EXIT_CODES}\n`;

const AUTH_PAGE = (what: string) => `${what}

${SIGN_IN}`;

export const COMMAND_HELP: Record<string, string> = {
  login: page('mcp-host login TARGET', AUTH_PAGE(`Signs in to the server (when it asks for a sign-in: its first 401) and keeps the sign-in
in the credentials file, readable by you alone, for later runs: the same as a command with
--store, without running one. Says so when the server asks for none.`)),
  logout: page('mcp-host logout TARGET', AUTH_PAGE(`Revokes the kept sign-in of the server where its authorization server allows it, and
forgets it. No server is started.`)),
  servers: `Usage: mcp-host servers [--json]

Lists the servers configured in .vscode/mcp.json (the nearest one from the current
directory upward) and in the VS Code user setting mcpHost.servers, with their scope,
transport and command line or URL. Nothing is started and no input is asked; problems
in the files are reported on stderr.

Options:
  --json   print the list as JSON

${ENVIRONMENT}

${EXIT_CODES}
`,
  tools: page('mcp-host tools TARGET', 'Lists the tools of the server, with their arguments (name: type, "?" when optional,\n"= value" for a default). Tools that run only as MCP tasks are marked\n[runs as a task]: call waits for the task. With --json, the tools as the server sent them.'),
  describe: page('mcp-host describe TOOL TARGET', 'Shows one tool in full: its title, whole description, input schema, output schema,\nannotations and task support. With --json, the tool as the server sent it.'),
  resources: page('mcp-host resources TARGET', 'Lists the resources of the server: URI, name, MIME type and description.'),
  templates: page('mcp-host templates TARGET', 'Lists the resource templates of the server. Read one by filling in its URI:\n  mcp-host read demo://resource/dynamic/text/1 TARGET'),
  prompts: page('mcp-host prompts TARGET', 'Lists the prompts of the server with their arguments.'),
  call: page('mcp-host call TOOL [--args JSON|@FILE|-] TARGET', `Calls a tool and prints its result: text as is, images and audio as
[image image/png, N bytes] (written to files with --save DIR), resource links and
embedded resources with their URI. A result with isError prints to stderr and exits 1.
A misspelt tool lists the server's tools and exits 2. A tool that runs as an MCP task
(its taskSupport is "required", or a 2026-07-28 server made a task of the call) is
waited for: its status shows as progress, the server's questions are asked as usual,
and Ctrl-C cancels the task (tasks/cancel) before exiting 130.`,
  `Command options:
  -a, --args JSON   the tool's arguments, a JSON object (default {}); @FILE reads it
                    from a file, - from stdin
      --save DIR    write images, audio, binary embedded resources and the resources
                    that resource links point to into DIR, named as the server names
                    them (a resource URI's last segment, a link's name; the tool's name
                    for images and audio); an existing file is never replaced (exit 2)
      --force       with --save: replace existing files`),
  read: page('mcp-host read URI TARGET', 'Reads a resource and prints its text; binary contents are summarised, or written\nto files with --save DIR (named after the URI\'s last segment).', `Command options:
      --save DIR    write binary contents to files in DIR; an existing file is never
                    replaced (exit 2)
      --force       with --save: replace existing files`),
  prompt: page('mcp-host prompt NAME [--args JSON|@FILE|-] TARGET', 'Gets a prompt and prints its messages. A misspelt prompt lists the server\'s prompts\nand exits 2.', `Command options:
  -a, --args JSON   the prompt's arguments, a JSON object of strings; @FILE reads it
                    from a file, - from stdin
      --save DIR    write images and audio to files in DIR (never replacing one)
      --force       with --save: replace existing files`),
  skills: page('mcp-host skills TARGET', `Lists the skills the server offers (the io.modelcontextprotocol/skills extension):
name, number of files, SKILL.md URI and description. Only skills/list is asked: no
file of any skill is read. Entries that break SEP-2640's rules are reported on stderr
and never read. With --json, {skills, refused}.`),
  skill: page('mcp-host skill NAME_OR_URI [--save DIR [--force]] TARGET', `Reads one skill's SKILL.md (by name, or by its SKILL.md URI, listed or not), verifies
it against the skill's entry — its size, its sha-256 digest, and its frontmatter field
by field — and prints it. Nothing else of the skill is read. A file that fails
verification refuses the skill: exit 5, naming the server, the skill and the reason.`,
  `Command options:
      --save DIR    read and verify every file of the skill, SKILL.md first, and only
                    when all pass write them to DIR/<name>/ (atomically: a skill is
                    saved whole or not at all); e.g. --save .github/skills, where VS
                    Code's agent finds skills. An existing DIR/<name> is kept (exit 2)
      --force       with --save: replace an existing DIR/<name>`),
};
