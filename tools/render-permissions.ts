/**
 * Renders the permission matrix of libs/auth into docs/security.md, between the markers below, so
 * the docs show exactly what the gateway and the services enforce. `--check` exits 1 when the file
 * is out of date (a unit test runs the same check).
 */
import fs from 'node:fs';
import path from 'node:path';
import { OPERATION_PERMISSIONS, PERMISSIONS, ROLE_PERMISSIONS, ROLES } from '@duemap/auth';

export const BEGIN = '<!-- permission-matrix:begin (npm run docs:permissions) -->';
export const END = '<!-- permission-matrix:end -->';
export const SECURITY_DOC = path.resolve(__dirname, '..', 'docs', 'security.md');

export function renderPermissionMatrix(): string {
  const lines: string[] = [];
  lines.push(`| permission | ${ROLES.join(' | ')} |`);
  lines.push(`| --- | ${ROLES.map(() => ':---:').join(' | ')} |`);
  for (const permission of PERMISSIONS) {
    const cells = ROLES.map((role) => (ROLE_PERMISSIONS[role].includes(permission) ? '✓' : ''));
    lines.push(`| \`${permission}\` | ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push('| operation | permission | roles |');
  lines.push('| --- | --- | --- |');
  for (const [operation, permission] of Object.entries(OPERATION_PERMISSIONS)) {
    const roles = ROLES.filter((role) => ROLE_PERMISSIONS[role].includes(permission));
    lines.push(`| \`${operation}\` | \`${permission}\` | ${roles.join(', ')} |`);
  }
  return lines.join('\n');
}

export function withMatrix(doc: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/security.md lacks the markers ${BEGIN} … ${END}`);
  return `${doc.slice(0, begin + BEGIN.length)}\n\n${renderPermissionMatrix()}\n\n${doc.slice(end)}`;
}

if (require.main === module) {
  const current = fs.readFileSync(SECURITY_DOC, 'utf8');
  const next = withMatrix(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error('docs/security.md: the permission matrix is out of date; run npm run docs:permissions');
      process.exit(1);
    }
    console.log('docs/security.md: the permission matrix is up to date');
  } else {
    fs.writeFileSync(SECURITY_DOC, next);
    console.log('docs/security.md: permission matrix written');
  }
}
