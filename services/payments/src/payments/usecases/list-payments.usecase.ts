import { Injectable } from '@nestjs/common';
import { customerTerritoryFilter, positionalBinder, type Territory } from '@duemap/auth';
import { DataSource } from 'typeorm';
import { PaymentsErrorCode, PaymentsException } from '../../common/payments.exception';
import { PaymentEntity, type PaymentSource, type PaymentStatus } from '../payment.entity';
import type { PaymentView } from '../payment.view';
import { PaymentsRepository } from '../payments.repository';
import { isUuid } from './get-payment.usecase';

export interface ListPaymentsQuery {
  status?: PaymentStatus;
  customerId?: string;
  source?: PaymentSource;
  statementId?: string;
  limit: number;
  cursor?: string;
  territory?: Territory;
}

export interface PaymentPage {
  items: PaymentView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      !Number.isNaN(Date.parse(value[0])) &&
      typeof value[1] === 'string' &&
      isUuid(value[1])
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // the error below
  }
  throw PaymentsException.forField(
    PaymentsErrorCode.ValidationFailed,
    'cursor',
    'cursor is not one this API returned',
  );
}

/**
 * GET /api/v1/payments: newest first, keyset-paged by (created_at, id); `status=needs_review` is the
 * exceptions worklist. A collector sees the payments of the customers in their territory (and not
 * the unidentified ones, which belong to nobody's territory yet).
 */
@Injectable()
export class ListPaymentsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentsRepository,
  ) {}

  async execute(query: ListPaymentsQuery): Promise<PaymentPage> {
    const values: unknown[] = [];
    const bind = positionalBinder(values);
    const where: string[] = [];
    if (query.status !== undefined) where.push(`p.status = ${bind(query.status)}`);
    if (query.customerId !== undefined) where.push(`p.customer_id = ${bind(query.customerId.toLowerCase())}`);
    if (query.source !== undefined) where.push(`p.source = ${bind(query.source)}`);
    if (query.statementId !== undefined) where.push(`p.statement_id = ${bind(query.statementId)}::uuid`);
    if (query.territory !== undefined) {
      where.push(
        `p.customer_id IS NOT NULL AND ${customerTerritoryFilter(query.territory, 'p.customer_id', bind)}`,
      );
    }
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor);
      where.push(`(p.created_at, p.id) < (${bind(after.createdAt)}::timestamptz, ${bind(after.id)}::uuid)`);
    }
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT p.id FROM payment p ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY p.created_at DESC, p.id DESC LIMIT ${bind(query.limit + 1)}`,
      values,
    );
    const ids = rows.slice(0, query.limit).map((r) => r.id);
    const em = this.dataSource.manager;
    const entities =
      ids.length === 0
        ? []
        : await em
            .getRepository(PaymentEntity)
            .createQueryBuilder('p')
            .where('p.id IN (:...ids)', { ids })
            .getMany();
    const byId = new Map(entities.map((e) => [e.id, e]));
    const ordered = ids.flatMap((id) => {
      const e = byId.get(id);
      return e ? [e] : [];
    });
    const items = await this.payments.loadViews(em, ordered);
    const last = ordered[ordered.length - 1];
    return {
      items,
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }
}
