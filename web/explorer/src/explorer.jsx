// cmap's GraphQL explorer: GraphiQL against the endpoint "graphql" beside
// the page. build.mjs bundles this file, React and GraphiQL into
// dist/explorer.js and dist/explorer.css, which the Go binary embeds.
import { setNonce } from 'get-nonce';
import { GraphiQL } from 'graphiql';
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import './page.css';

// The query a first visit shows: the gaps of the catalogue at Advanced and
// the competency model, and where completion, the documentation and the
// headers are.
const defaultQuery = `# cmap's GraphQL explorer
#
# Run: Ctrl-Enter (Cmd-Enter on a Mac) or ▶.
# Complete a field or argument: Ctrl-Space.
# Documentation: the book icon, top left.
#
# Your API key (or your identity provider's
# token) goes in the Headers tab below:
#   {"Authorization": "Bearer cmap_..."}
# Without one you read what the viewer role
# reads, where the server allows it. People,
# readiness, writes and rule previews need a
# key with their role: each field's
# documentation says which ("Needs the
# PERSONNEL role."). The first start of cmap
# printed an admin key; 'cmap keys create'
# makes others. This browser keeps the
# headers; Settings (the gear, bottom left)
# turns that off.

query Overview {
  gaps(minLevel: "Advanced") {
    level
    uncovered {
      subCompetency { code statement }
      highest
      courses
    }
    coveringNothing { code title }
  }
  proficiencyScale { levels }
  competencies {
    code
    title
    subCompetencies { code statement }
  }
}
`;

// fetcher posts an operation to the endpoint with the headers of the
// headers editor and returns the decoded answer. An answer that is not
// JSON (a proxy's error page, say) becomes an error naming the HTTP status.
async function fetcher(params, options) {
  const res = await fetch('graphql', {
    method: 'POST',
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      ...options?.headers,
    },
    body: JSON.stringify(params),
  });
  const body = await res.text();
  try {
    return JSON.parse(body);
  } catch {
    return { errors: [{ message: `HTTP ${res.status} ${res.statusText}: ${body.slice(0, 500)}` }] };
  }
}

// GraphiQL's dialogs (settings, keyboard shortcuts) lock the page's scroll
// with a <style> element they add. The page's Content-Security-Policy lets
// in only the style elements that carry the nonce the server made for this
// load of the page, which it writes on this script's tag.
setNonce(document.currentScript?.nonce);

// storedHeaders returns the headers GraphiQL keeps in this browser: the
// headers editor's last contents, stored while Settings > Persist headers
// is on (as it is at first, see shouldPersistHeaders).
function storedHeaders() {
  try {
    return localStorage.getItem('graphiql:headers') ?? '';
  } catch {
    return ''; // storage is off in this browser
  }
}

// Explorer is GraphiQL with the headers set once: GraphiQL keeps headers
// per tab and starts a new tab with defaultHeaders, here the headers last
// in the editor, so that an API key typed once goes with every new tab.
function Explorer() {
  const [headers, setHeaders] = useState(storedHeaders);
  return (
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={defaultQuery}
      defaultHeaders={headers}
      onEditHeaders={setHeaders}
      shouldPersistHeaders
      defaultEditorToolsVisibility="headers"
    >
      <GraphiQL.Logo>
        cmap · <a href="coverage">coverage map</a>
      </GraphiQL.Logo>
    </GraphiQL>
  );
}

createRoot(document.getElementById('graphiql')).render(<Explorer />);
