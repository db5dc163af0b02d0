/** HTML escaping and the page shell shared by every hosted page. */

const htmlEscapes: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);
}

/** Template tag that escapes every interpolated value unless it is already `Html`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += renderValue(value) + (strings[index + 1] ?? '');
  });
  return new Html(out);
}

function renderValue(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(renderValue).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

const styles = `
  body { font-family: system-ui, sans-serif; background: #f6f8fa; color: #1a1f36; margin: 0; }
  main { max-width: 34rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px;
         box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  .badge { display: inline-block; background: #ffde92; color: #5d3d00; font-size: .8rem; padding: .1rem .5rem; border-radius: 4px; }
  h1 { font-size: 1.4rem; margin: .5rem 0 1rem; }
  h2 { font-size: 1.05rem; }
  .items, .totals { list-style: none; padding: 0; margin: 0 0 1rem; }
  .items li, .totals div { display: flex; justify-content: space-between; padding: .2rem 0; }
  .totals dt, .totals dd { margin: 0; }
  .totals .total { font-weight: 700; border-top: 1px solid #e3e8ee; margin-top: .3rem; padding-top: .4rem; }
  fieldset { border: 1px solid #e3e8ee; border-radius: 6px; margin: 0 0 1rem; padding: .75rem 1rem; }
  label { display: block; font-size: .9rem; margin: .5rem 0 .2rem; }
  fieldset label.choice { display: flex; gap: .5rem; align-items: center; }
  input[type=text], input[type=email], select { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem;
         border: 1px solid #c1c9d2; border-radius: 4px; }
  .error { background: #fde8e8; color: #9b1c1c; border: 1px solid #f8b4b4; padding: .6rem .8rem; border-radius: 4px; margin-bottom: 1rem; }
  .actions { display: flex; gap: .75rem; align-items: center; margin: 1rem 0; }
  button { font-size: 1rem; padding: .6rem 1.2rem; border-radius: 4px; border: 1px solid #635bff; cursor: pointer; }
  button.primary { background: #635bff; color: #fff; }
  button.secondary { background: #fff; color: #635bff; }
  .note { color: #55606e; font-size: .85rem; }
  .field-error { color: #9b1c1c; font-size: .9rem; margin: .25rem 0 0; }
  .account { margin: 0 0 1rem; }
  :focus-visible { outline: 3px solid #7a73ff; outline-offset: 2px; }
`;

/** The page around a hosted page's body, in the page's language (`words`: English when none is given). */
export function layout(title: string, body: Html, words: { lang: string; testMode: string } = { lang: 'en', testMode: 'Test mode · Stripe sandbox' }): string {
  return html`<!doctype html>
<html lang="${words.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${new Html(styles)}</style>
</head>
<body>
<main>
<p class="badge">${words.testMode}</p>
${body}
</main>
</body>
</html>
`.text;
}
