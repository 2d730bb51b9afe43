// The single page: sign-in, then the screens a role may open (#/board, #/live, #/master for ADMIN and
// DISPATCHER; #/driver for DRIVER). The session (token, user) lives in sessionStorage.

import { Api } from "./api.js";
import { escapeHtml } from "./format.js";
import { enumLabel, initLang, lang, setLang, t } from "./i18n.js";

const SCREENS = {
  board: { roles: ["ADMIN", "DISPATCHER"], load: () => import("./board.js") },
  live: { roles: ["ADMIN", "DISPATCHER"], load: () => import("./board.js") },
  master: { roles: ["ADMIN", "DISPATCHER"], load: () => import("./master.js") },
  reports: { roles: ["ADMIN", "DISPATCHER"], load: () => import("./reports.js") },
  driver: { roles: ["DRIVER", "ADMIN", "DISPATCHER"], load: () => import("./driver.js") },
};

export const app = {
  api: null,
  user: null,
  config: { tileUrl: "", tileAttribution: "" },
  screen: null,
  current: null,
};
globalThis.hakobu = app;

function savedSession() {
  try {
    return JSON.parse(sessionStorage.getItem("hakobu.session") ?? "null");
  } catch {
    return null;
  }
}

function tileUrl() {
  return localStorage.getItem("hakobu.tileUrl") || app.config.tileUrl;
}

export function org() {
  return `organizations/${app.user.organization.replace(/^organizations\//, "")}`;
}

export function settingsTileUrl() {
  return tileUrl();
}

async function loadConfig() {
  try {
    const r = await fetch("/web/config.json");
    if (r.ok) app.config = await r.json();
  } catch {
    // the defaults below
  }
  app.config.tileUrl ||= "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png";
}

function defaultScreen(user) {
  if (user.role === "DRIVER" || location.pathname === "/driver") return "driver";
  return "board";
}

function renderSignIn(root, message = "") {
  document.title = t("appTitle");
  root.innerHTML = `
    <main class="signin">
      <form id="signin-form" class="card">
        <h1>${t("appTitle")}</h1>
        <label>${t("organization")}<input name="organization" value="ORG-001" autocomplete="organization"></label>
        <label>${t("login")}<input name="login" autocomplete="username" required></label>
        <label>${t("password")}<input name="password" type="password" autocomplete="current-password" required></label>
        <p class="error" id="signin-error">${escapeHtml(message)}</p>
        <div class="row">
          <button type="submit" class="primary" id="signin-button">${t("signIn")}</button>
          <button type="button" class="link" id="lang-switch">${t("language")}</button>
        </div>
      </form>
    </main>`;
  root.querySelector("#lang-switch").onclick = () => {
    setLang(lang() === "ja" ? "en" : "ja");
    renderSignIn(root);
  };
  root.querySelector("#signin-form").onsubmit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const api = new Api({ language: lang });
    try {
      const { accessToken } = await api.login(form.get("organization"), form.get("login"), form.get("password"));
      api.token = accessToken;
      const user = await api.me();
      sessionStorage.setItem("hakobu.session", JSON.stringify({ token: accessToken, user }));
      app.api = api;
      app.user = user;
      location.hash = `#/${defaultScreen(user)}`;
      route();
    } catch (error) {
      renderSignIn(root, `${t("signInFailed")}: ${error.localized ? error.localized(lang()) : error.message}`);
    }
  };
}

function renderShell(root, screen) {
  const allowed = Object.entries(SCREENS).filter(([, s]) => s.roles.includes(app.user.role)).map(([k]) => k);
  const nav = allowed
    .map((k) => `<a href="#/${k}" class="${k === screen ? "active" : ""}" data-screen="${k}">${t(k === "driver" ? "driverPage" : k)}</a>`)
    .join("");
  root.innerHTML = `
    <header class="top">
      <span class="brand">${t("appTitle")}</span>
      <nav>${nav}</nav>
      <span class="spacer"></span>
      <span class="user" id="user-name">${escapeHtml(app.user.displayName || app.user.login)} (${enumLabel("role", app.user.role)})</span>
      <button class="link" id="lang-switch">${t("language")}</button>
      <button class="link" id="settings-button">${t("settings")}</button>
      <button class="link" id="signout">${t("signOut")}</button>
    </header>
    <div id="screen" class="screen"></div>
    <dialog id="settings-dialog">
      <form method="dialog">
        <label>${t("tileUrl")}<input id="tile-url" size="60" value="${escapeHtml(tileUrl())}"></label>
        <div class="row"><button value="save" class="primary">${t("save")}</button><button value="cancel">${t("cancel")}</button></div>
      </form>
    </dialog>`;
  root.querySelector("#lang-switch").onclick = () => {
    setLang(lang() === "ja" ? "en" : "ja");
    route(true);
  };
  root.querySelector("#signout").onclick = async () => {
    try {
      await app.api.logout();
    } catch {
      // signed out locally anyway
    }
    sessionStorage.removeItem("hakobu.session");
    app.user = null;
    location.hash = "";
    route();
  };
  const dialog = root.querySelector("#settings-dialog");
  root.querySelector("#settings-button").onclick = () => dialog.showModal();
  dialog.addEventListener("close", () => {
    if (dialog.returnValue !== "save") return;
    const value = root.querySelector("#tile-url").value.trim();
    if (value) localStorage.setItem("hakobu.tileUrl", value);
    else localStorage.removeItem("hakobu.tileUrl");
    app.current?.setTileUrl?.(tileUrl());
  });
  return root.querySelector("#screen");
}

function renderForbidden(root) {
  root.innerHTML = `<main class="forbidden card" id="forbidden"><h2>${t("forbidden")}</h2>
    <p><a href="#/${defaultScreen(app.user)}">${t(defaultScreen(app.user) === "driver" ? "driverPage" : "board")}</a></p></main>`;
}

export async function route(force = false) {
  const root = document.getElementById("app");
  if (!app.user) {
    app.current?.dispose?.();
    app.current = null;
    renderSignIn(root);
    return;
  }
  let screen = location.hash.replace(/^#\//, "").split("?")[0];
  if (!screen && location.pathname === "/driver") screen = "driver";
  if (!SCREENS[screen]) screen = defaultScreen(app.user);
  if (screen === app.screen && !force) return;
  app.current?.dispose?.();
  app.current = null;
  app.screen = screen;
  const container = renderShell(root, screen);
  if (!SCREENS[screen].roles.includes(app.user.role)) {
    renderForbidden(container);
    return;
  }
  document.title = `${t(screen === "driver" ? "driverPage" : screen)} - ${t("appTitle")}`;
  const module = await SCREENS[screen].load();
  app.current = await module.mount(container, { app, screen, tileUrl: tileUrl(), org: org() });
}

async function start() {
  initLang();
  await loadConfig();
  const session = savedSession();
  if (session) {
    app.api = new Api({ token: session.token, language: lang });
    app.user = session.user;
  }
  window.addEventListener("hashchange", () => route());
  await route();
}

start();
