import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { CustomerPinEntity } from './customer-pin.entity';

/** What a customer owes in one currency, as of its last balance-changed event. */
@Entity({ name: 'customer_pin_balances' })
export class CustomerPinBalanceEntity {
  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @PrimaryColumn({ type: 'char', length: 3 })
  currency!: string;

  /** Minor units; a string because pg returns bigint as one (BigInt() it). May be negative (credit). */
  @Column({ name: 'outstanding_minor', type: 'bigint' })
  outstandingMinor!: string;

  @Column({ name: 'overdue_minor', type: 'bigint' })
  overdueMinor!: string;

  @ManyToOne(() => CustomerPinEntity, (p) => p.balances, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id' })
  pin?: Relation<CustomerPinEntity>;
}
