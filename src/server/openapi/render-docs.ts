import { createHash } from 'node:crypto';
import type { JsonSchema, OpenApiDocument, Operation } from './document.js';

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The document's prose: HTML-escaped, with `code` spans. */
const prose = (text: string): string => escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const refName = (ref: string): string => ref.split('/').at(-1) ?? ref;

function typeOf(schema: JsonSchema): string {
  if (typeof schema.$ref === 'string') return refName(schema.$ref);
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union) return union.map(typeOf).join(' | ');
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.type === 'array') return `array of ${typeOf((schema.items as JsonSchema | undefined) ?? {})}`;
  if (schema.format === 'binary') return 'file';
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return typeof schema.type === 'string' ? schema.type : 'any';
}

const LIMITS: [string, string][] = [
  ['minLength', 'at least {} characters'],
  ['maxLength', 'at most {} characters'],
  ['minimum', '≥ {}'],
  ['maximum', '≤ {}'],
  ['maxItems', 'at most {} items'],
  ['default', 'default {}'],
];

function limits(schema: JsonSchema): string {
  return LIMITS.filter(([key]) => key in schema && !(key === 'maximum' && schema[key] === Number.MAX_SAFE_INTEGER))
    .map(([key, text]) => text.replace('{}', key === 'default' ? JSON.stringify(schema[key]) : String(schema[key])))
    .join(', ');
}

function fieldsTable(schema: JsonSchema): string {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows = Object.entries(properties).map(
    ([name, field]) =>
      `<tr><td><code>${escape(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''}</td><td><code>${escape(typeOf(field))}</code></td><td>${prose(
        [field.description as string | undefined, limits(field)].filter(Boolean).join(' — '),
      )}</td></tr>`,
  );
  return rows.length > 0 ? `<table><thead><tr><th>field</th><th>type</th><th>meaning</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : `<p><code>${escape(typeOf(schema))}</code></p>`;
}

function operationSection(method: string, path: string, operation: Operation): string {
  const open = operation.security?.length === 0;
  const parts = [
    `<section class="op" id="${escape(operation.operationId)}">`,
    `<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>`,
    `<p class="summary">${prose(operation.summary)}${open ? ' <span class="open">no key needed</span>' : ''}</p>`,
  ];
  if (operation.description) parts.push(`<p>${prose(operation.description)}</p>`);
  for (const parameter of operation.parameters ?? []) parts.push(`<p>Path parameter <code>${escape(parameter.name)}</code>: ${prose(parameter.description)}</p>`);
  for (const [type, { schema }] of Object.entries(operation.requestBody?.content ?? {})) {
    parts.push(`<h4>Request body <code>${escape(type)}</code></h4>`, fieldsTable(schema));
  }
  const responses = Object.entries(operation.responses).map(
    ([status, response]) => `<li><strong>${escape(status)}</strong> ${prose(response.description)}${response.content ? ` <span class="types">${Object.keys(response.content).map(escape).join(', ')}</span>` : ''}</li>`,
  );
  parts.push('<h4>Responses</h4>', `<ul class="responses">${responses.join('')}</ul>`, '</section>');
  return parts.join('\n');
}

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 960px; padding: 1.5rem; color: #1d2433; }
h1 { margin-bottom: 0; } h2 { border-bottom: 1px solid #d8dde6; margin-top: 2.5rem; }
code { font: 13px ui-monospace, monospace; background: #f1f3f7; padding: 0 3px; border-radius: 3px; }
.op { border: 1px solid #d8dde6; border-radius: 6px; padding: 0 1rem 0.5rem; margin: 1rem 0; }
.method { display: inline-block; min-width: 4.2em; text-align: center; color: #fff; border-radius: 4px; font-size: 13px; padding: 1px 4px; }
.get { background: #2f7d4f; } .post { background: #2659a6; } .patch { background: #9a6a00; } .delete { background: #b23b3b; }
.req { color: #b23b3b; font-size: 12px; } .open { color: #2f7d4f; font-size: 12px; } .types { color: #5b6475; font-size: 13px; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #eceff4; padding: 4px 6px; }
nav ul { columns: 2; } .summary { font-weight: 600; }
`;

export interface DocsPage {
  html: string;
  /** The Content-Security-Policy that lets this page's own style, and nothing else, run. */
  contentSecurityPolicy: string;
}

/** The API reference as one self-contained page rendered from the document: no script, no network. */
export function renderDocsPage(document: OpenApiDocument): DocsPage {
  const byTag = new Map<string, string[]>();
  const toc = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const tag = operation.tags[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationSection(method, path, operation)]);
      toc.set(tag, [...(toc.get(tag) ?? []), `<li><a href="#${escape(operation.operationId)}">${method.toUpperCase()} ${escape(path)}</a></li>`]);
    }
  }
  const codes = ((document.components.schemas.ErrorCode?.oneOf ?? []) as { const: string; description: string }[]).map(
    (code) => `<tr><td><code>${escape(code.const)}</code></td><td>${prose(code.description)}</td></tr>`,
  );
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(document.info.title)} API reference</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escape(document.info.title)} API reference</h1><p>Version ${escape(document.info.version)} · OpenAPI ${escape(document.openapi)}: <a href="/openapi.json">/openapi.json</a> · <a href="/">playground</a></p></header>
<p>${prose(document.info.description)}</p>
<nav>${[...toc].map(([tag, items]) => `<h3>${escape(tag)}</h3><ul>${items.join('')}</ul>`).join('')}<p><a href="#errors">Error codes</a></p></nav>
<main>
${[...byTag].map(([tag, sections]) => `<h2>${escape(tag)}</h2>\n${sections.join('\n')}`).join('\n')}
<h2 id="errors">Error codes</h2>
<p>${prose('Every error is `{"error": {"message", "type", "param", "code"}}`. Match on `code`:')}</p>
<table><thead><tr><th>code</th><th>status and meaning</th></tr></thead><tbody>${codes.join('')}</tbody></table>
</main>
</body>
</html>
`;
  const styleHash = createHash('sha256').update(STYLE).digest('base64');
  return { html, contentSecurityPolicy: `default-src 'none'; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'` };
}
