import { readFileSync } from 'node:fs';
import { openStatement } from './parse-statement';
import { chunked, creditRow, fixture, readLines, type CreditRow } from './testing/fixtures';

/**
 * Every credit of every camt sample, line by line: amount, currency, booking date, payer, payer
 * account, remittance and references as the files state them. The tables were written from the
 * XML (an XPath reading of each TxDtls, checked by hand against the files), not from this parser.
 * `at` is entry.transaction: a batch entry gives one row per TxDtls with its own amount.
 */
const CREDITS: Record<string, CreditRow[]> = {
  'camt053/camt.053.001.02-de-vrbank-rottal-inn-sample.xml': [
    {
      at: '3.1',
      amount: '1.00 EUR',
      booked: '2013-12-27',
      payer: 'Testkonto Nummer 2',
      payerAccount: '740618130100033626',
      remittance: 'R CKBUCHUNG',
      refs: { bankTransactionId: '2013122711085260000' },
    },
  ],
  'camt053/camt.053.001.02-fi-fffs-guideline-sample.xml': [
    {
      at: '4.1',
      amount: '2000.00 EUR',
      booked: '2009-10-29',
      remittance: '',
      refs: { bankTransactionId: '091029ACCTSTMTARCH04' },
    },
    {
      at: '5.1',
      amount: '500.00 EUR',
      booked: '2009-10-29',
      remittance: '',
      refs: { bankTransactionId: '091029ACCTSTMTARCH21' },
    },
    {
      at: '6.1',
      amount: '3000.00 EUR',
      booked: '2009-10-29',
      remittance: '',
      refs: { bankTransactionId: '091029ACCTSTMTARCH05' },
    },
    {
      at: '7.1',
      amount: '2120.00 EUR',
      booked: '2009-10-29',
      payer: 'DEBTOR NAME',
      remittance: 'INVOICE US20291092',
      refs: { bankTransactionId: '091029ACCTSTMTARCH06' },
    },
    {
      at: '8.1',
      amount: '5455.00 EUR',
      booked: '2009-10-29',
      payer: 'PAYERS NAME2',
      remittance: '',
      refs: { bankTransactionId: '091029ACCTSTMTARCH07', creditorReference: 'RF98123456789012' },
    },
    {
      at: '9.1',
      amount: '10000.00 EUR',
      booked: '2009-10-29',
      payer: 'DEBTOR',
      remittance: '',
      refs: {
        endToEndId: 'EndToEndIdSCT01',
        bankTransactionId: '091029ACCTSTMTARCH08',
        creditorReference: 'RF98123456789012',
      },
    },
  ],
  'camt053/camt.053.001.02-fi-nordea-sample.xml': [
    {
      at: '1.1',
      amount: '10000.00 EUR',
      booked: '2019-05-08',
      remittance: '',
      refs: {
        endToEndId: '20190501-E00005',
        bankTransactionId: '1905082588CEAA0001',
        creditorReference: '00000000000000001245',
      },
    },
    {
      at: '2.1',
      amount: '100.50 EUR',
      booked: '2019-05-08',
      remittance: 'Free text max 140 characters and max 35 characters in one line',
      refs: { bankTransactionId: '1905082588SM12345678' },
    },
  ],
  'camt053/camt.053.001.02-nl-abnamro-sample.xml': [
    {
      at: '1.1',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      remittance: '',
      refs: { bankTransactionId: '2102830989503100038' },
    },
    {
      at: '2.1',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      payer: 'NAAM',
      payerAccount: 'NL46ABNA0499998748',
      remittance: 'OMSCHRIJVING',
      refs: { bankTransactionId: '3095D4322561459S0PS' },
    },
    {
      at: '3.1',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      payer: 'NAAM',
      payerAccount: 'NL46ABNA0499998748',
      remittance: '',
      refs: { bankTransactionId: '3095D4322561460S0PS', creditorReference: '1234567812345678' },
    },
    {
      at: '4.1',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      payer: 'NAAM',
      payerAccount: 'NL46ABNA0499998748',
      remittance: '',
      refs: { bankTransactionId: '3095D4322561460S0PS', creditorReference: '1234567812345678' },
    },
    {
      at: '4.2',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      payer: 'NAAM',
      payerAccount: 'NL46ABNA0499998748',
      remittance: '',
      refs: { bankTransactionId: '3095D4322561460S0PS', creditorReference: '1234567812345678' },
    },
    {
      at: '4.3',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      payer: 'NAAM',
      payerAccount: 'NL46ABNA0401378749',
      remittance: '',
      refs: { bankTransactionId: '3095D4322561460S0PS', creditorReference: '1234567812345678' },
    },
    {
      at: '4.4',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      payer: 'NAAM',
      payerAccount: 'NL46ABNA0401378749',
      remittance: '',
      refs: { bankTransactionId: '3095D4322561460S0PS', creditorReference: '1234567812345678' },
    },
    {
      at: '4.5',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      payer: 'NAAM',
      payerAccount: 'NL46ABNA0401378749',
      remittance: '',
      refs: { bankTransactionId: '3095D4322561460S0PS', creditorReference: '1234567812345678' },
    },
    {
      at: '4.6',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      payer: 'NAAM',
      payerAccount: 'NL46ABNA0401378749',
      remittance: '',
      refs: { bankTransactionId: '3095D4322561460S0PS', creditorReference: '1234567812345678' },
    },
    {
      at: '4.7',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      payer: 'NAAM',
      payerAccount: 'NL46ABNA0401378749',
      remittance: '',
      refs: { bankTransactionId: '3095D4322561460S0PS', creditorReference: '1234567812345678' },
    },
    {
      at: '4.8',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      payer: 'NAAM',
      payerAccount: 'NL46ABNA0401378749',
      remittance: '',
      refs: { bankTransactionId: '3095D4322561460S0PS', creditorReference: '1234567812345678' },
    },
    {
      at: '4.9',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      payer: 'NAAM',
      payerAccount: 'NL46ABNA0401378749',
      remittance: '',
      refs: { bankTransactionId: '3095D4322561460S0PS', creditorReference: '1234567812345678' },
    },
    {
      at: '4.10',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      payer: 'NAAM',
      payerAccount: 'NL46ABNA0401378749',
      remittance: '',
      refs: { bankTransactionId: '3095D4322561460S0PS', creditorReference: '1234567812345678' },
    },
    {
      at: '5.1',
      amount: '1.00 EUR',
      booked: '2013-04-02',
      payer: 'ING Bank',
      payerAccount: 'NL21INGB0000773837',
      remittance: '2305271368 0050001248302363 pid2305271368t Mud Masters Mud Masters',
      refs: { endToEndId: '01-04-2013 21:01 0050001248302363', bankTransactionId: '3922000TRP7K6HAZ0BI' },
    },
    {
      at: '10.1',
      amount: '1.00 EUR',
      booked: '2012-04-02',
      payer: 'R12 SDD SIT2',
      payerAccount: 'NL27ABNA0562326340',
      remittance:
        'SIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSIT',
      refs: {
        endToEndId: 'SDD SIT 024-1',
        bankTransactionId: '1402P5518750498B0AO',
        mandateId: 'mandateref24-1',
      },
    },
    {
      at: '10.2',
      amount: '1.00 EUR',
      booked: '2012-04-02',
      payer: 'R12 SDD SIT2',
      payerAccount: 'NL27ABNA0562326340',
      remittance:
        'SIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSIT',
      refs: {
        endToEndId: 'SDD SIT 024-2',
        bankTransactionId: '1202P5518750498B0A0',
        mandateId: 'mandateref24-2',
      },
    },
    {
      at: '10.3',
      amount: '1.00 EUR',
      booked: '2012-04-02',
      payer: 'R12 SDD SIT2',
      payerAccount: 'NL27ABNA0562326340',
      remittance:
        'SIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSIT',
      refs: {
        endToEndId: 'SDD SIT 024-3',
        bankTransactionId: '1402P5518750498B0AO',
        mandateId: 'mandateref24-3',
      },
    },
    {
      at: '10.4',
      amount: '1.00 EUR',
      booked: '2012-04-02',
      payer: 'R12 SDD SIT2',
      payerAccount: 'NL27ABNA0562326340',
      remittance:
        'SIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSIT',
      refs: {
        endToEndId: 'SDD SIT 024-4',
        bankTransactionId: '1402P5518750498B0AO',
        mandateId: 'mandateref24-4',
      },
    },
    {
      at: '10.5',
      amount: '1.00 EUR',
      booked: '2012-04-02',
      payer: 'R12 SDD SIT2',
      payerAccount: 'NL27ABNA0562326340',
      remittance:
        'SIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSIT',
      refs: {
        endToEndId: 'SDD SIT 024-5',
        bankTransactionId: '1402P5518750498B0AO',
        mandateId: 'mandateref24-5',
      },
    },
    {
      at: '10.6',
      amount: '1.00 EUR',
      booked: '2012-04-02',
      payer: 'R12 SDD SIT2',
      payerAccount: 'NL27ABNA0562326340',
      remittance:
        'SIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSIT',
      refs: {
        endToEndId: 'SDD SIT 024-6',
        bankTransactionId: '1402P5518750498B0AO',
        mandateId: 'mandateref24-6',
      },
    },
    {
      at: '10.7',
      amount: '1.00 EUR',
      booked: '2012-04-02',
      payer: 'R12 SDD SIT2',
      payerAccount: 'NL27ABNA0562326340',
      remittance:
        'SIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSITSIT DRIVER LI NOSIT DRIVER LI NOSIT',
      refs: {
        endToEndId: 'SDD SIT 024-7',
        bankTransactionId: '1402P5518750498B0AO',
        mandateId: 'mandateref24-7',
      },
    },
    {
      at: '11.1',
      amount: '7.00 EUR',
      booked: '2012-04-02',
      remittance: '',
      refs: { bankTransactionId: '1402P5518750498B0AO' },
    },
  ],
  'camt053/camt.053.001.02-nl-ing-sample.xml': [
    {
      at: '1.1',
      amount: '350.00 EUR',
      booked: '2014-01-03',
      payer: 'INGTestrekening',
      payerAccount: 'NL20INGB0001234567',
      remittance: '',
      refs: { bankTransactionId: '59999208N9', creditorReference: '0010008346912014' },
    },
    {
      at: '2.1',
      amount: '125.00 EUR',
      booked: '2014-01-03',
      payer: 'INGTestrekening',
      payerAccount: 'NL20INGB0001234567',
      remittance: 'UstrdRemi2014010323566INGBankNV',
      refs: { bankTransactionId: '98888208N8' },
    },
    {
      at: '3.1',
      amount: '120.00 EUR',
      booked: '2014-01-03',
      payer: 'INGTestrekening',
      payerAccount: 'NL20INGB0001234567',
      remittance: '',
      refs: {
        endToEndId: '20140103E2EIdA1INGBankNV',
        bankTransactionId: '15180015077602405',
        creditorReference: '6390338414964113',
      },
    },
    {
      at: '4.1',
      amount: '270.00 EUR',
      booked: '2014-01-03',
      remittance: '',
      refs: { bankTransactionId: '3102766686999' },
    },
    {
      at: '5.1',
      amount: '125.00 EUR',
      booked: '2014-01-03',
      payer: 'INGTestrekening',
      payerAccount: 'NL20INGB0005047249',
      remittance: 'UstrdRemiInf127881778INGB9',
      refs: { bankTransactionId: '98888208N8' },
    },
  ],
  'camt053/camt.053.001.02-us-goldman-sachs-sample.xml': [
    {
      at: '1.1',
      amount: '10.00 USD',
      booked: '2023-10-01',
      remittance: 'Sample Unstructured Remittance 123',
      refs: { endToEndId: 'GSGWGDNCTAHQM8', bankTransactionId: 'B20092800002225' },
      reversal: true,
    },
    {
      at: '3.1',
      amount: '10.00 USD',
      booked: '2023-10-01',
      remittance: '',
      refs: { endToEndId: '20230928LTERMID2000003', bankTransactionId: 'I20092800008308' },
    },
    {
      at: '4.1',
      amount: '10.00 USD',
      booked: '2023-10-01',
      remittance: '',
      refs: { bankTransactionId: 'SPB2326182390753' },
    },
    {
      at: '5.1',
      amount: '10.00 USD',
      booked: '2023-10-01',
      payer: 'TEST CLIENT',
      payerAccount: '06883105620',
      remittance: 'TEST 2023',
      refs: { endToEndId: 'GTOS4BN19D124XV', bankTransactionId: 'GI2325100009148' },
    },
    {
      at: '6.1',
      amount: '10.00 USD',
      booked: '2023-10-01',
      remittance: '',
      refs: { endToEndId: 'SBD91894_20230831_0011', bankTransactionId: 'SBD91894_20230831_0011' },
    },
    {
      at: '10.1',
      amount: '10.00 USD',
      booked: '2023-10-01',
      payer: 'OPY USA INC.',
      payerAccount: '107049932',
      remittance: '',
      refs: { endToEndId: 'GSWDEZOJDF', bankTransactionId: 'GI2118700002010' },
      reversal: true,
    },
    {
      at: '11.1',
      amount: '10.00 USD',
      booked: '2023-10-01',
      remittance: '',
      refs: { bankTransactionId: 'SX21271060439231' },
    },
    {
      at: '12.1',
      amount: '10.00 USD',
      booked: '2023-10-01',
      payer: 'JPMCHASEClient',
      remittance: '',
      refs: { endToEndId: '021000020000017', bankTransactionId: 'B20092800009509' },
    },
    {
      at: '13.1',
      amount: '10.00 USD',
      booked: '2023-10-01',
      payer: 'Primrose',
      payerAccount: '456000000',
      remittance: '',
      refs: { endToEndId: 'GSKWTHM25VCGE5', bankTransactionId: 'B20092800008542' },
      reversal: true,
    },
    {
      at: '14.1',
      amount: '10.00 USD',
      booked: '2023-10-01',
      remittance: '',
      refs: { endToEndId: '20230928LTERMID2000002', bankTransactionId: 'I20092800008305' },
    },
  ],
  'camt053/camt.053.001.04-ch-postfinance-sample.xml': [
    {
      at: '7.1',
      amount: '100.00 CHF',
      booked: '2016-05-27',
      remittance: '',
      refs: { bankTransactionId: '160527CH00T3L0GE', qrReference: '000000000002015110002913192' },
    },
    {
      at: '7.2',
      amount: '50.00 CHF',
      booked: '2016-05-27',
      payer: 'Rutschmann Pia',
      remittance: '',
      refs: { bankTransactionId: '160527CH00T3KWWA', qrReference: '000000000002016030002820804' },
    },
    {
      at: '7.3',
      amount: '200.00 CHF',
      booked: '2016-05-27',
      remittance: '',
      refs: { bankTransactionId: '160527CH00T2H28C', qrReference: '000000000002016030001581632' },
    },
    {
      at: '7.4',
      amount: '50.00 CHF',
      booked: '2016-05-27',
      remittance: '',
      refs: { bankTransactionId: '160527CH00T3L0W5', qrReference: '000000000002015110003015939' },
    },
    {
      at: '7.5',
      amount: '100.00 CHF',
      booked: '2016-05-27',
      remittance: '',
      refs: { bankTransactionId: '160527CH00T3L0NC', qrReference: '000000000002016030000535990' },
    },
    {
      at: '7.6',
      amount: '200.00 CHF',
      booked: '2016-05-27',
      payer: 'Bernasconi Maria',
      payerAccount: 'CH4444444444444444444',
      remittance: '',
      refs: { bankTransactionId: '160527CH00T3KXDV', qrReference: '000000000002016030002463591' },
    },
    {
      at: '7.7',
      amount: '50.00 CHF',
      booked: '2016-05-27',
      remittance: '',
      refs: { bankTransactionId: '160527CH00T3KZO9', qrReference: '000000000002016030002780613' },
    },
    {
      at: '7.8',
      amount: '100.00 CHF',
      booked: '2016-05-27',
      remittance: '',
      refs: { bankTransactionId: '160527CH00T3L0V2', qrReference: '000000000002016030001554373' },
    },
    {
      at: '7.9',
      amount: '50.00 CHF',
      booked: '2016-05-27',
      payer: 'Zürcher Kantonalbank',
      payerAccount: 'CH0000000000000000000',
      remittance: '',
      refs: { bankTransactionId: '160527CH00T99DU7', qrReference: '000000000002016030000985620' },
    },
    {
      at: '7.10',
      amount: '100.00 CHF',
      booked: '2016-05-27',
      payer: 'UBS Switzerland AG',
      payerAccount: 'CH0000000000000000000',
      remittance: '',
      refs: { bankTransactionId: '160527CH00T99EBW', qrReference: '000000000002016030001593614' },
    },
    {
      at: '8.1',
      amount: '50.00 CHF',
      booked: '2016-05-27',
      payer: 'Rutschmann Pia',
      payerAccount: 'CH1111111111111111111',
      remittance: 'MUSTER MITTEILUNG',
      refs: { bankTransactionId: '160527CH00T2UENT' },
    },
    {
      at: '8.2',
      amount: '20.00 CHF',
      booked: '2016-05-27',
      payer: 'Bernasconi Maria',
      payerAccount: 'CH4444444444444444444',
      remittance: 'MUSTER MITTEILUNG',
      refs: { bankTransactionId: '160527CH00T2Y4XY' },
    },
    {
      at: '8.3',
      amount: '100.00 CHF',
      booked: '2016-05-27',
      payer: 'Rutschmann Pia',
      payerAccount: 'CH1111111111111111111',
      remittance: 'MUSTER MITTEILUNG 1 MUSTER MITTEILUNG 2 MUSTER MITTEILUNG 3 MUSTER MITTEILUNG 4',
      refs: { bankTransactionId: '160527CH00T3HDBA' },
    },
    {
      at: '8.4',
      amount: '100.00 CHF',
      booked: '2016-05-27',
      payer: 'Bernasconi Maria',
      remittance: '',
      refs: { bankTransactionId: '160527CH00T3VT3Y' },
    },
    {
      at: '8.5',
      amount: '30.00 CHF',
      booked: '2016-05-27',
      payer: 'Rutschmann Pia',
      remittance: '',
      refs: { bankTransactionId: '160527CH00T3VTGB' },
    },
    {
      at: '8.6',
      amount: '50.00 CHF',
      booked: '2016-05-27',
      payer: 'Bernasconi Maria',
      remittance: 'MUSTER MITTEILUNG 1 MUSTER MITTEILUNG 2',
      refs: { bankTransactionId: '160527CH00T3VTGE' },
    },
    {
      at: '8.7',
      amount: '20.00 CHF',
      booked: '2016-05-27',
      payer: 'Rutschmann Pia',
      payerAccount: 'CH1111111111111111111',
      remittance: 'MUSTER MITTEILUNG 1 MUSTER MITTEILUNG 2',
      refs: { bankTransactionId: '160527CH00T2QNQZ' },
    },
    {
      at: '8.8',
      amount: '250.00 CHF',
      booked: '2016-05-27',
      payer: 'Rutschmann Pia',
      payerAccount: 'CH1111111111111111111',
      remittance: 'MUSTER MITTEILUNG 1',
      refs: { bankTransactionId: '160527CH00T3HG80' },
    },
    {
      at: '9.1',
      amount: '20.00 CHF',
      booked: '2016-04-06',
      payer: 'Max Mustermann',
      payerAccount: 'CH7408237100000000002',
      remittance: 'Mitteilung Return Muster',
      refs: { bankTransactionId: '160406CH00NKZCKG' },
    },
    {
      at: '9.2',
      amount: '40.00 CHF',
      booked: '2016-04-06',
      payer: 'Max Mustermann',
      payerAccount: 'CH7408237100000000002',
      remittance: 'Return Mitteilung Muster',
      refs: { bankTransactionId: '160406CH00NKSQ5N' },
    },
    {
      at: '9.3',
      amount: '50.00 CHF',
      booked: '2016-04-06',
      payer: 'Max Mustermann',
      payerAccount: 'CH7408237100000000002',
      remittance: 'Mitteilung Return Mitteilung',
      refs: { bankTransactionId: '160406CH00NKSQ5Q' },
    },
    {
      at: '10.1',
      amount: '15.00 CHF',
      booked: '2016-04-10',
      payer: 'Rutschmann Pia',
      payerAccount: 'CH4409000000495962779',
      remittance: 'Mitteilung 132',
      refs: { endToEndId: 'EndToEnd-CRDBRActSame-1B9C-CHDDBB2', bankTransactionId: 'TST_201-2091644-9' },
    },
    {
      at: '10.2',
      amount: '9.00 CHF',
      booked: '2016-04-10',
      payer: 'Bernasconi Maria',
      payerAccount: 'CH3709000000250094580',
      remittance: 'Mitteilung 131',
      refs: { endToEndId: 'EndToEnd-CRDBRActSame-1B9C-CHDDBB3', bankTransactionId: 'TST_201-2091644-8' },
    },
    {
      at: '11.1',
      amount: '56.56 CHF',
      booked: '2016-04-10',
      payer: 'Bernasconi Maria',
      payerAccount: 'CH3709000000250094580',
      remittance: '',
      refs: { endToEndId: 'PMT-651727380907030005', bankTransactionId: 'TST_201-13113-5' },
    },
  ],
  'camt053/camt.053.001.08-ch-ubs-sps2-sample.xml': [
    {
      at: '1.1',
      amount: '474.40 CHF',
      booked: '2023-06-20',
      payer: 'Jon Doe',
      remittance: 'INVOICE R77561',
      refs: { endToEndId: '80000004540000100095', bankTransactionId: '9999181ZC0283079' },
    },
    {
      at: '2.1',
      amount: '88.85 CHF',
      booked: '2023-06-20',
      payer: 'Finanz AG',
      remittance: '',
      refs: {
        endToEndId: '435A9287E088BDB1D97FAABD181C70C8',
        bankTransactionId: '0123171DO5126811',
        creditorReference: 'RF38000000000000000000552',
      },
    },
  ],
  'camt053/camt.053.001.08-lt-anonymized-multistmt-minimal.xml': [
    {
      at: '1.1',
      amount: '828531.98 EUR',
      booked: null,
      remittance: '',
      refs: { bankTransactionId: 'REF000000025239' },
    },
  ],
  'camt053/camt.053.001.08-synthetic-genkgo.xml': [
    {
      at: '1.1',
      amount: '8.85 EUR',
      booked: '2014-12-31',
      payer: 'NAME NAME',
      payerAccount: 'NL56AGDH9619008421',
      remittance: '',
      refs: {
        endToEndId: 'MUELL/FINP/RA12345',
        bankTransactionId: 'AAAASESS-FP-CN_98765/01',
        creditorReference: '4654654654654654',
      },
    },
  ],
  'other/camt.054.001.02-fi-fffs-guideline-sample.xml': [
    {
      at: '1.1',
      amount: '1900.00 EUR',
      booked: '2009-10-29',
      payer: 'PAYERS NAME1',
      remittance: '',
      refs: { bankTransactionId: 'D091029N987654321S001', creditorReference: '3900' },
    },
    {
      at: '1.2',
      amount: '100.00 EUR',
      booked: '2009-10-29',
      payer: 'PAYERS NAME2',
      remittance: '',
      refs: { bankTransactionId: 'D091029N987654321S002', creditorReference: '43216' },
    },
    {
      at: '2.1',
      amount: '400.00 EUR',
      booked: '2009-10-29',
      payer: 'PAYERS NAME1',
      remittance: '',
      refs: { bankTransactionId: 'D091029N987654321S211', creditorReference: '3900' },
    },
    {
      at: '2.2',
      amount: '100.00 EUR',
      booked: '2009-10-29',
      payer: 'PAYERS NAME2',
      remittance: '',
      refs: { bankTransactionId: 'D091029N987654321S212', creditorReference: '43216' },
    },
    {
      at: '3.1',
      amount: '2500.00 EUR',
      booked: '2009-10-29',
      payer: 'AT-02 DEBTOR NAME 01',
      remittance: '',
      refs: {
        endToEndId: 'EndToEndIdAT-41-001',
        bankTransactionId: 'D091029N123456789S001',
        creditorReference: 'RF7812345',
      },
    },
    {
      at: '3.2',
      amount: '500.00 EUR',
      booked: '2009-10-29',
      payer: 'AT-02 DEBTOR NAME 02',
      remittance: 'RFB/557742358',
      refs: { endToEndId: 'EndToEndIdAT-41-002', bankTransactionId: 'D091029N123456789S002' },
    },
    {
      at: '6.1',
      amount: '40.00 EUR',
      booked: '2009-10-29',
      payer: 'PAYERS NAME3',
      remittance: '',
      refs: { bankTransactionId: 'D091029N987654321S288', creditorReference: '2345678917' },
      reversal: true,
    },
    {
      at: '6.2',
      amount: '60.00 EUR',
      booked: '2009-10-29',
      payer: 'PAYERS NAME4',
      remittance: '',
      refs: { bankTransactionId: 'D091029N987654321S289', creditorReference: '1234567897' },
      reversal: true,
    },
  ],
  'other/camt.054.001.08-ch-postfinance-qrr-batch.xml': [
    {
      at: '1.1',
      amount: '778.29 CHF',
      booked: '2020-06-18',
      payer: 'Bernasconi Maria',
      payerAccount: 'CH5109000000250092291',
      remittance: '',
      refs: {
        endToEndId: '1006265-aic5dL-75dzf3jk9-cf2d5e9',
        bankTransactionId: '2000000000000000',
        qrReference: '539115429773825311971477453',
      },
    },
    {
      at: '1.2',
      amount: '913.93 CHF',
      booked: '2020-06-18',
      payer: 'Bernasconi Maria',
      payerAccount: 'CH5109000000250092291',
      remittance: '',
      refs: { bankTransactionId: '3000000000000000', qrReference: '662437765447746478179744715' },
    },
  ],
};

/** Debit lines (entries or transactions): recognised, counted, never candidates. */
const DEBITS: Record<string, number> = {
  'camt053/camt.053.001.02-de-vrbank-rottal-inn-sample.xml': 4,
  'camt053/camt.053.001.02-fi-fffs-guideline-sample.xml': 7,
  'camt053/camt.053.001.02-fi-nordea-sample.xml': 4,
  'camt053/camt.053.001.02-nl-abnamro-sample.xml': 7,
  'camt053/camt.053.001.02-nl-ing-sample.xml': 4,
  'camt053/camt.053.001.02-us-goldman-sachs-sample.xml': 5,
  'camt053/camt.053.001.04-ch-postfinance-sample.xml': 8,
  'camt053/camt.053.001.08-ch-ubs-sps2-sample.xml': 1,
  'camt053/camt.053.001.08-lt-anonymized-multistmt-minimal.xml': 2,
  'camt053/camt.053.001.08-synthetic-genkgo.xml': 0,
  'other/camt.054.001.02-fi-fffs-guideline-sample.xml': 5,
  'other/camt.054.001.08-ch-postfinance-qrr-batch.xml': 0,
};

describe('camt.053 / camt.054 samples', () => {
  describe.each(Object.keys(CREDITS))('%s', (file) => {
    it('has every credit with its amount, date, payer and references', async () => {
      const lines = await readLines(file);
      const credits = lines.filter((l) => l.direction === 'credit').map(creditRow);
      const expected = CREDITS[file] ?? [];
      expect(credits).toHaveLength(expected.length);
      expected.forEach((row, i) => expect({ file, ...credits[i] }).toEqual({ file, ...row }));
      expect(lines.filter((l) => l.direction === 'debit')).toHaveLength(DEBITS[file] ?? -1);
    });
  });

  it('reads the statement, account, status and position of each line', async () => {
    const [line] = await readLines('camt053/camt.053.001.08-synthetic-genkgo.xml');
    expect(line?.format).toBe('camt053');
    expect(line?.account).toEqual({ iban: 'NL26VAYB8060476890' });
    expect(line?.position.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[1]');
    const ubs = await readLines('camt053/camt.053.001.08-ch-ubs-sps2-sample.xml');
    expect(ubs[0]?.account).toEqual({ iban: 'CH1111111111111111111', currency: 'CHF' });
    const lt = await readLines('camt053/camt.053.001.08-lt-anonymized-multistmt-minimal.xml');
    expect(lt[0]).toMatchObject({
      statementId: 'MSG66141212-AUHHDI',
      account: { iban: 'LT625883379695428516' },
    });
    const fi = await readLines('other/camt.054.001.02-fi-fffs-guideline-sample.xml');
    // Entry 4, transaction 3: an invoice number in RfrdDocInf; entry 6 is INFO, not booked.
    expect(fi.find((l) => l.entryIndex === 4 && l.txIndex === 3)?.references.documentNumbers).toEqual([
      '217827182718',
    ]);
    expect(fi.filter((l) => l.entryIndex === 6).map((l) => l.bookingStatus)).toEqual(['info', 'info']);
    expect(fi[0]).toMatchObject({ statementId: 'BANKFILEID00001NTR00001', bookingStatus: 'booked' });
  });

  it('gives a batch transaction its own amount, not the entry total', async () => {
    const lines = await readLines('other/camt.054.001.08-ch-postfinance-qrr-batch.xml');
    expect(lines.map((l) => l.amount.toString())).toEqual(['778.29 CHF', '913.93 CHF']);
    expect(lines.map((l) => l.format)).toEqual(['camt054', 'camt054']);
  });

  it('reads a document whose elements carry a namespace prefix (ns2:Document) the same', async () => {
    const plain = readFileSync(fixture('camt053/camt.053.001.08-ch-ubs-sps2-sample.xml'), 'utf8');
    const prefixed = plain.replace(/<(\/?)([A-Za-z])/g, '<$1ns2:$2').replace(' xmlns="', ' xmlns:ns2="');
    expect(prefixed).toContain('<ns2:Document xmlns:ns2="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"');
    const parsed = await openStatement(chunked(prefixed, 100));
    const lines = [];
    for await (const line of parsed.lines) lines.push(creditRow(line));
    expect(lines).toEqual((await readLines('camt053/camt.053.001.08-ch-ubs-sps2-sample.xml')).map(creditRow));
    expect(lines).toHaveLength(3);
  });
});
