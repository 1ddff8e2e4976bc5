// The GraphQL requests of cmap's pages (the coverage map, the rules page),
// sent to the API beside the page with the tab's API key (apikey.js,
// loaded before this file).
"use strict";

// graphQL sends query with variables and returns the answer's data. A
// refusal throws an Error whose codes list the errors' extensions.code.
async function graphQL(query, variables) {
  const headers = apiKey.authorize({ "Content-Type": "application/json", Accept: "application/graphql-response+json, application/json" });
  const response = await fetch("graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`HTTP ${response.status}: the answer is not JSON`);
  }
  if (body.errors && body.errors.length) {
    const err = new Error(body.errors.map((e) => e.message).join("; "));
    err.codes = body.errors.map((e) => e.extensions && e.extensions.code);
    throw err;
  }
  if (!response.ok || !body.data) {
    throw new Error(`HTTP ${response.status}`);
  }
  return body.data;
}
