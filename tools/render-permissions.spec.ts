import fs from 'node:fs';
import { renderPermissionMatrix, SECURITY_DOC, withMatrix } from './render-permissions';

describe('the permission matrix in docs/security.md', () => {
  it('is what libs/auth enforces (npm run docs:permissions rewrites it)', () => {
    const doc = fs.readFileSync(SECURITY_DOC, 'utf8');
    expect(withMatrix(doc)).toBe(doc);
  });

  it('names every operation with the roles that may call it', () => {
    const table = renderPermissionMatrix();
    expect(table).toContain('| `POST /api/v1/invoices/{id}/void` | `invoices:void` | admin, finance |');
    expect(table).toContain('| `GET /api/v1/audit` | `audit:read` | admin |');
  });
});
