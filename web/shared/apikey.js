// The API key of cmap's pages (the coverage map, the rules page). What the
// API shows depends on who asks: the page's key field takes an API key (or
// a token of the identity provider), which every request then sends as
// "Authorization: Bearer". The key is kept in this tab's sessionStorage, so
// that every page of the tab shares it and it goes when the tab closes;
// without one, requests are anonymous, which a server may refuse
// (UNAUTHENTICATED) or allow to read what the viewer role reads.
"use strict";

const apiKey = (() => {
  const item = "cmap.apiKey";

  // stored returns the key of this tab, "" when none was given.
  function stored() {
    try {
      return sessionStorage.getItem(item) || "";
    } catch {
      return ""; // storage is off in this browser
    }
  }

  // keep keeps key ("" forgets it).
  function keep(key) {
    try {
      if (key) sessionStorage.setItem(item, key);
      else sessionStorage.removeItem(item);
    } catch {
      // storage is off: the key is not kept, as the browser asks
    }
  }

  // authorize adds the Authorization header of the tab's key to headers.
  function authorize(headers) {
    const key = stored();
    if (key) headers.Authorization = "Bearer " + key;
    return headers;
  }

  // refused reports whether an error of the API (with the codes of its
  // errors) says the key, or its lack, was refused.
  function refused(err) {
    return Boolean(err.codes) && (err.codes.includes("UNAUTHENTICATED") || err.codes.includes("FORBIDDEN"));
  }

  // show shows whether a key is in use, never the key.
  function show() {
    const key = stored();
    const field = document.getElementById("key");
    field.value = "";
    field.placeholder = key ? "a key is in use" : "none (anonymous)";
    document.getElementById("key-forget").hidden = !key;
  }

  // mount wires the page's key form (#key-form, #key, #key-forget) and
  // calls changed once a key is used or forgotten.
  function mount(changed) {
    document.getElementById("key-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const key = document.getElementById("key").value.trim();
      if (!key) return;
      keep(key);
      show();
      changed();
    });
    document.getElementById("key-forget").addEventListener("click", () => {
      keep("");
      show();
      changed();
    });
    show();
  }

  return { stored, authorize, refused, mount };
})();
