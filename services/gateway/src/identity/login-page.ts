function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The sign-in page: one form, English and Chinese labels, no script, posted to /auth/login. */
export function loginPage(options: { next: string; username?: string; failed?: boolean }): string {
  const failed = options.failed
    ? '<p class="error" role="alert">Wrong user name or password. 用户名或密码错误。</p>'
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · 登录 — Duemap</title>
<style>
  body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; background: #f4f5f7; margin: 0; }
  main { max-width: 22rem; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; }
  h1 { font-size: 1.3rem; margin-top: 0; }
  label { display: block; margin: 1rem 0 .3rem; }
  input { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }
  button { margin-top: 1.5rem; width: 100%; padding: .6rem; font-size: 1rem; }
  .error { color: #b00020; }
</style>
</head>
<body>
<main>
<h1>Duemap — Sign in · 登录</h1>
${failed}
<form method="post" action="/auth/login">
  <input type="hidden" name="next" value="${escapeHtml(options.next)}">
  <label for="username">User name · 用户名</label>
  <input id="username" name="username" autocomplete="username" required value="${escapeHtml(options.username ?? '')}">
  <label for="password">Password · 密码</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in · 登录</button>
</form>
</main>
</body>
</html>
`;
}
