/** The login page. The password goes to `POST /login` and nowhere else: the field is cleared after each attempt. */
import { HttpError, login, type Session } from "./api.js";
import { h } from "./dom.js";

export function loginView(notice: string, onLogin: (s: Session) => void): HTMLElement {
  const user = h("input", {
    id: "username",
    name: "username",
    autocomplete: "username",
    required: true,
    autocapitalize: "none",
    spellcheck: "false",
  });
  const pass = h("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const error = h("p", { class: "error", role: "alert", id: "login-error", hidden: true });
  const info = h("p", { class: "note", role: "status" }, notice);
  info.hidden = notice === "";
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h(
    "form",
    { class: "login", "aria-describedby": "login-error", novalidate: true },
    h("h1", {}, "net-net"),
    h("p", { class: "tagline" }, "Real-time network monitor"),
    info,
    h("label", { for: "username" }, "User name"),
    user,
    h("label", { for: "password" }, "Password"),
    pass,
    error,
    submit,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const u = user.value.trim();
    const p = pass.value;
    if (u === "" || p === "") {
      error.textContent = "Enter your user name and password.";
      error.hidden = false;
      (u === "" ? user : pass).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "Signing in…";
    error.hidden = true;
    // The password leaves the page's state at once; only the request holds it.
    pass.value = "";
    login(u, p)
      .then(onLogin)
      .catch((err: unknown) => {
        error.textContent =
          err instanceof HttpError ? err.message : "Sign-in failed. Try again in a moment.";
        error.hidden = false;
        submit.disabled = false;
        submit.textContent = "Sign in";
        pass.focus();
      });
  });
  queueMicrotask(() => (user.value === "" ? user : pass).focus());
  return h("main", { class: "login-page", id: "main" }, form);
}
