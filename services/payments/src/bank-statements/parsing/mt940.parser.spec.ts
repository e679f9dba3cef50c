import { creditRow, readLines, type CreditRow } from './testing/fixtures';

type Row = Omit<CreditRow, 'remittance'> & { remittance?: string };

/**
 * Every credit of every MT940 sample (C and RC marks; RC is a reversal), line by line. The Dutch
 * and Swiss rows were written by reading the files; the German ones (?NN subfields, 43 credits in
 * the Dresdner file) by a separate regex reading of :61: and ?31/?32/?33/EREF+, checked by hand.
 * `at` is the :61: line's number in the file (1-based, all statements) and ".1".
 */
const CREDITS: Record<string, Row[]> = {
  'mt940/mt940-ch-postfinance.sta': [
    {
      at: '1.1',
      amount: '79.70 CHF',
      booked: '2013-12-09',
      payer: 'JANE DOE EXAMPLESTRASSE 10 1234 XXXX 131209CH98765432',
      remittance: 'RECHNUNG XXXXXXXXXXXX',
      refs: {},
    },
    {
      at: '2.1',
      amount: '149.50 CHF',
      booked: '2013-12-09',
      payer: 'JOHN DOE EXAMPLESTRASSE 12 1234 XXXXXXXXXX 131209CH87654321',
      remittance: '',
      refs: {},
    },
    { at: '4.1', amount: '10.10 CHF', booked: '2013-12-18', remittance: 'EINZAHLUNGSSCHEIN', refs: {} },
  ],
  'mt940/mt940-nl-abnamro-structured-ideal-credit.sta': [
    // The name is wrapped over two lines: joined as written, as zilverline's parser reads it too.
    {
      at: '1.1',
      amount: '10.50 EUR',
      booked: '2015-01-20',
      payer: 'ABC POPPIEKLAMNAET',
      payerAccount: 'NL30ABNA0122365478',
      remittance: 'K00023345Mq235234 0045623157461347 FACTUUR 10530 000848KLAOCFTUIOMFND',
      refs: { endToEndId: '11-09-2015 12:00 0045623157461347' },
    },
  ],
  'mt940/mt940-nl-abnamro-structured.sta': [
    {
      at: '4.1',
      amount: '4.00 EUR',
      booked: '2014-01-27',
      payer: 'NS GROEP INZAKE NSR IDEA',
      payerAccount: 'NL70ABNA0888888888',
      remittance: '4851430136 0030000 735822580 NS E-TICKET(S) 26-01-2014 18:14 003000 0735822580',
      refs: {},
    },
  ],
  'mt940/mt940-nl-ing-structured.sta': [
    {
      at: '3.1',
      amount: '20.00 EUR',
      booked: '2014-08-25',
      payer: 'BERTYU M',
      payerAccount: 'NL57ABNA0876543211',
      remittance: '18-08-2014 Een opmschrijving',
      refs: { bankTransactionId: '14237653554593' },
    },
    {
      at: '8.1',
      amount: '100.00 EUR',
      booked: '2014-08-25',
      payerAccount: '0007654332',
      remittance: 'VAN Zkl Kwartaal Spaarrekening',
      refs: { bankTransactionId: '14237649141335' },
    },
    {
      at: '19.1',
      amount: '14520.00 EUR',
      booked: '2014-08-18',
      payer: 'ABSCDFGDFG    SDGDSFG',
      payerAccount: 'NL50RABO0222222222',
      remittance: 'Mijn fee',
      refs: { bankTransactionId: '14230622959923' },
    },
  ],
  'mt940/mt940-nl-rabobank-structured.sta': [
    {
      at: '2.1',
      amount: '169.90 EUR',
      booked: '2013-04-03',
      payer: 'Bedrijf B.V.',
      payerAccount: '0663616476',
      remittance: 'NR.201303-111/11.3.2013NR.201303-112/11.3.2013',
      refs: {},
    },
    {
      at: '4.1',
      amount: '1640.76 EUR',
      booked: '2013-04-04',
      payer: 'DLN CONSULTING',
      payerAccount: '0117888613',
      remittance: 'factuurnummer 201303-128cursus certified PO',
      refs: {},
    },
    {
      at: '7.1',
      amount: '2050.95 EUR',
      booked: '2013-04-04',
      payer: 'Wehkamp BV04',
      payerAccount: '0691765731',
      remittance: '',
      refs: {},
    },
    {
      at: '8.1',
      amount: '1923.90 EUR',
      booked: '2013-04-04',
      payer: 'BEDRIJF NV',
      payerAccount: 'NL82RBOS0602069890',
      remittance: 'Ref: 201302-080',
      refs: { endToEndId: '1134027115' },
    },
    {
      at: '9.1',
      amount: '13431.00 EUR',
      booked: '2013-04-04',
      payer: 'EVEREST BV',
      payerAccount: '0477502946',
      remittance: '12420/20001512 201303-088 XX201303-088XX ZILVERLINE TRAINING1098 TW AMSTERDAM',
      refs: {},
    },
  ],
  'mt940/mt940-de-deutschebank-sepa.sta': [
    {
      at: '1.1',
      amount: '3.99 EUR',
      booked: '2014-03-26',
      payer: 'PETRA TESTER',
      payerAccount: 'DE422938944551657098369',
      refs: { bankTransactionId: '8848037917407749' },
    },
    {
      at: '2.1',
      amount: '0.01 EUR',
      booked: '2014-03-28',
      payer: 'PETER TESTER',
      payerAccount: 'DE04400694620000233025',
      refs: { endToEndId: 'D979899680037A3DFA78E4?2A5315095381', bankTransactionId: '96550046549608644' },
    },
  ],
  'mt940/mt940-de-dresdner-sepa-multiaccount.sta': [
    {
      at: '1.1',
      amount: '300.00 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'TFNR 40005 00005', bankTransactionId: '0724710345313905' },
    },
    {
      at: '2.1',
      amount: '335.33 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'TFNR 44003 00001', bankTransactionId: '0724710351061491' },
    },
    {
      at: '3.1',
      amount: '15000.00 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'TFNR 40005 00002', bankTransactionId: '0724710345313900' },
    },
    { at: '4.1', amount: '66295.08 EUR', booked: '2007-09-04', refs: {} },
    {
      at: '5.1',
      amount: '915311.55 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'TFNR 44003 00002', bankTransactionId: 'R724710351061495' },
    },
    { at: '6.1', amount: '204.88 EUR', booked: '2007-09-04', refs: {}, reversal: true },
    {
      at: '8.1',
      amount: '15000.05 EUR',
      booked: '2007-09-04',
      payer: 'Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx',
      payerAccount: 'DE42100100100043921105',
      refs: { endToEndId: 'EndToEndIdTFNR2000400001', bankTransactionId: '0724710290621954' },
    },
    {
      at: '10.1',
      amount: '50.05 EUR',
      booked: '2007-09-04',
      payer: 'Richter Renate 70 Zeichen Beginn Fuellzeichenxxxxxxxx',
      payerAccount: 'DE42100100100043921105',
      refs: { endToEndId: 'EndToEndIdTFNR5200100001', bankTransactionId: '0724710290658244' },
    },
    {
      at: '11.1',
      amount: '125.88 EUR',
      booked: '2007-09-04',
      payer: 'Cornelia Prochownik 70 Zeichen BeginnFuellzeichen xxx',
      payerAccount: 'CH8500779014054431109',
      refs: { bankTransactionId: '0724710290635078' },
    },
    {
      at: '12.1',
      amount: '125004.88 EUR',
      booked: '2007-09-04',
      payer: 'Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx',
      payerAccount: 'CH6500279279C31180700',
      refs: { bankTransactionId: '0724710290626371' },
    },
    {
      at: '15.1',
      amount: '250000.00 EUR',
      booked: '2007-09-04',
      payer: 'Daniel Severidt 70 ZeichenBeginn Fuellzeichen xxxxxxx',
      payerAccount: 'DE40250100300325207300',
      refs: { bankTransactionId: '0724710290628244' },
    },
    {
      at: '16.1',
      amount: '300000.00 EUR',
      booked: '2007-09-04',
      payer: 'Cornelia Prochownik 70 Zeichen Beginn Fuellzeichen xxx',
      payerAccount: 'DE40100100100000214105',
      refs: { bankTransactionId: '0724710290631813' },
    },
    {
      at: '17.1',
      amount: '500000.00 EUR',
      booked: '2007-09-04',
      payer: 'Dirk Leunig 70 Zeichen Beginn Fuellzeichen xxxxxxxxxxx',
      payerAccount: 'DE39250100300172064300',
      refs: { bankTransactionId: '0724710290630146' },
    },
    { at: '18.1', amount: '204.88 EUR', booked: '2007-09-04', refs: {} },
    {
      at: '19.1',
      amount: '204.88 EUR',
      booked: '2007-09-04',
      refs: { bankTransactionId: 'R724710290656678' },
      reversal: true,
    },
    {
      at: '23.1',
      amount: '50990.05 EUR',
      booked: '2007-09-04',
      payer: 'Florian Frech',
      payerAccount: 'DE06508800500194780100',
      refs: { endToEndId: 'TFNR 21005 EndToEndId 00001', bankTransactionId: '0724710352954937' },
    },
    {
      at: '24.1',
      amount: '19990.05 EUR',
      booked: '2007-09-04',
      payer: 'JOSEF        JAEGER',
      payerAccount: 'DE95508800500194784900',
      refs: { endToEndId: 'EndToEndId TFNR 22 001 00001', bankTransactionId: '0724710333377198' },
    },
    {
      at: '32.1',
      amount: '50.00 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'TFNR 40016 00001', bankTransactionId: '0724710324649377' },
    },
    {
      at: '33.1',
      amount: '50.05 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'TFNR 40017 00001', bankTransactionId: '0724710345347489' },
    },
    {
      at: '34.1',
      amount: '50.05 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'TFNR 40018 00001', bankTransactionId: '0724710351065632' },
    },
    {
      at: '35.1',
      amount: '46500.07 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'EndToEndId TFNR 06 004 00002', bankTransactionId: '0724710333347237' },
    },
    {
      at: '36.1',
      amount: '154551.93 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'EndToEndId TFNR 06 004 00004', bankTransactionId: '0724710333347241' },
    },
    {
      at: '43.1',
      amount: '335.33 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'TFNR 44005 00001', bankTransactionId: '0724710351059240' },
    },
    {
      at: '44.1',
      amount: '915311.55 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'TFNR 44005 00002', bankTransactionId: 'R724710351059243' },
    },
    {
      at: '55.1',
      amount: '16500.07 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'EndToEndId TFNR 05 006 00002', bankTransactionId: '0724710324666001' },
    },
    {
      at: '56.1',
      amount: '154551.93 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'EndToEndId TFNR 05 006 00004', bankTransactionId: '0724710324666006' },
    },
    {
      at: '64.1',
      amount: '13990.05 EUR',
      booked: '2007-09-04',
      payer: 'JOSEF        JAEGER',
      payerAccount: 'DE95508800500194784900',
      refs: { endToEndId: 'EndToEndId TFNR 21 003 00001', bankTransactionId: '0724710333354911' },
    },
    {
      at: '77.1',
      amount: '50990.05 EUR',
      booked: '2007-09-04',
      payer: 'Karl Kaufmann',
      payerAccount: 'DE14508800500194785000',
      refs: { endToEndId: 'TFNR 21007 EndToEndId 00001', bankTransactionId: '0724710352952868' },
    },
    {
      at: '78.1',
      amount: '16500.07 EUR',
      booked: '2007-09-04',
      payer: 'Karl Kaufmann',
      payerAccount: 'DE14508800500194785000',
      refs: { endToEndId: 'TFNR 0500500002', bankTransactionId: '0724710324661086' },
    },
    {
      at: '79.1',
      amount: '19990.05 EUR',
      booked: '2007-09-04',
      payer: 'KARL        KAUFMANN',
      payerAccount: 'DE14508800500194785000',
      refs: { endToEndId: 'EndToEndId TFNR 22 002 00001', bankTransactionId: '0724710333360224' },
    },
    {
      at: '80.1',
      amount: '56500.07 EUR',
      booked: '2007-09-04',
      payer: 'Quentin Quast',
      payerAccount: 'DE03508800500194791600',
      refs: { endToEndId: 'TFNR 0300300002', bankTransactionId: '0724710324647446' },
    },
    {
      at: '81.1',
      amount: '50990.05 EUR',
      booked: '2007-09-04',
      payer: 'KARL        KAUFMANN',
      payerAccount: 'DE14508800500194785000',
      refs: { endToEndId: 'EndToEndId TFNR 22 004 00001', bankTransactionId: '0724710333343453' },
    },
    {
      at: '82.1',
      amount: '154551.93 EUR',
      booked: '2007-09-04',
      payer: 'Quentin Quast',
      payerAccount: 'DE03508800500194791600',
      refs: { endToEndId: 'TFNR 0300300004', bankTransactionId: '0724710324647450' },
    },
    {
      at: '83.1',
      amount: '154551.93 EUR',
      booked: '2007-09-04',
      payer: 'Karl Kaufmann',
      payerAccount: 'DE14508800500194785000',
      refs: { endToEndId: 'TFNR 0500500004', bankTransactionId: '0724710324661090' },
    },
    {
      at: '85.1',
      amount: '300.00 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'TFNR 40001 00005', bankTransactionId: '0724710345316116' },
    },
    {
      at: '86.1',
      amount: '335.33 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'TFNR 44001 00001', bankTransactionId: '0724710351063401' },
    },
    {
      at: '87.1',
      amount: '15000.00 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'TFNR 40001 00002', bankTransactionId: '0724710345316110' },
    },
    {
      at: '88.1',
      amount: '15000.05 EUR',
      booked: '2007-09-04',
      payer: 'Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx',
      payerAccount: 'DE42100100100043921105',
      refs: { endToEndId: 'EndToEndIdTFNR2000100001', bankTransactionId: '0724710290659857' },
    },
    {
      at: '89.1',
      amount: '125004.88 EUR',
      booked: '2007-09-04',
      payer: 'Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx',
      payerAccount: 'DE42100100100043921105',
      refs: { bankTransactionId: '0724710290624796' },
    },
    {
      at: '90.1',
      amount: '915311.55 EUR',
      booked: '2007-09-04',
      refs: { endToEndId: 'TFNR 44001 00002', bankTransactionId: 'R724710351063405' },
    },
    {
      at: '92.1',
      amount: '1910.05 EUR',
      booked: '2007-09-04',
      payer: 'QUENTIN        QUAST',
      payerAccount: 'DE03508800500194791600',
      refs: { endToEndId: 'TFNR 21001 EndToEndId 00001', bankTransactionId: '0724710333345079' },
    },
    {
      at: '93.1',
      amount: '50990.05 EUR',
      booked: '2007-09-04',
      payer: 'Quentin Quast',
      payerAccount: 'DE03508800500194791600',
      refs: { endToEndId: 'TFNR 21004 EndToEndId 00001', bankTransactionId: '0724710352956584' },
    },
    {
      at: '97.1',
      amount: '50.05 EUR',
      booked: '2007-09-04',
      payer: 'Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx',
      payerAccount: 'DE51508800500190038900',
      refs: { endToEndId: 'EndToEndIdTFNR5000500001', bankTransactionId: '0724710290648274' },
    },
  ],
  'mt940/mt940-de-volksbanken-raiffeisenbanken-sepa.sta': [
    {
      at: '1.1',
      amount: '65.00 EUR',
      booked: '2020-02-19',
      payer: 'Olivia Dorn',
      payerAccount: 'DE40500105174675974588',
      refs: {},
    },
    {
      at: '2.1',
      amount: '80.00 EUR',
      booked: '2020-02-19',
      payer: 'friedbert und ronja engel',
      payerAccount: 'DE10500105174381957749',
      refs: {},
    },
    {
      at: '3.1',
      amount: '80.00 EUR',
      booked: '2020-02-21',
      payer: 'Antonio Sueto',
      payerAccount: 'DE83500105179219844142',
      refs: {},
    },
    {
      at: '4.1',
      amount: '55.00 EUR',
      booked: '2020-02-24',
      payer: 'Thomas Schulz',
      payerAccount: 'DE88500105178285756556',
      refs: { endToEndId: 'ZV0100284190949300000002' },
    },
    {
      at: '5.1',
      amount: '65.00 EUR',
      booked: '2020-02-24',
      payer: 'Yasmin OENOEGLUE',
      payerAccount: 'DE16500105178726218653',
      refs: {},
    },
    {
      at: '6.1',
      amount: '80.00 EUR',
      booked: '2020-02-25',
      payer: 'Hellwig, Annegret, Hellwig, Dieter',
      payerAccount: 'DE42500105171213694382',
      refs: {},
    },
    {
      at: '7.1',
      amount: '55.00 EUR',
      booked: '2020-02-25',
      payer: 'Werner Furter',
      payerAccount: 'DE35500105172334664338',
      refs: {},
    },
    {
      at: '8.1',
      amount: '55.00 EUR',
      booked: '2020-02-25',
      payer: 'Helmut und Ulrike Vogthaupt',
      payerAccount: 'DE81500105175436439494',
      refs: { endToEndId: 'ZV0100284284592300000002' },
    },
    {
      at: '9.1',
      amount: '65.00 EUR',
      booked: '2020-02-26',
      payer: 'Heinz Schoen',
      payerAccount: 'DE29500105179614179699',
      refs: {},
    },
    {
      at: '10.1',
      amount: '50.00 EUR',
      booked: '2020-02-28',
      payer: 'Edeltraud Meyer',
      payerAccount: 'DE31500105174278239442',
      refs: {},
    },
    {
      at: '11.1',
      amount: '40.00 EUR',
      booked: '2020-03-02',
      payer: 'Wu Chong',
      payerAccount: 'DE18500105177615914228',
      refs: {},
    },
    {
      at: '12.1',
      amount: '55.00 EUR',
      booked: '2020-03-10',
      payer: 'Kannen, Manfred und Kristin',
      payerAccount: 'DE81500105171714979786',
      refs: {},
    },
  ],
};

const DEBITS: Record<string, number> = {
  'mt940/mt940-ch-postfinance.sta': 1,
  'mt940/mt940-de-deutschebank-sepa.sta': 0,
  'mt940/mt940-de-dresdner-sepa-multiaccount.sta': 54,
  'mt940/mt940-de-volksbanken-raiffeisenbanken-sepa.sta': 0,
  'mt940/mt940-nl-abnamro-structured-ideal-credit.sta': 0,
  'mt940/mt940-nl-abnamro-structured.sta': 9,
  'mt940/mt940-nl-ing-structured.sta': 18,
  'mt940/mt940-nl-rabobank-structured.sta': 4,
};

describe('MT940 samples', () => {
  describe.each(Object.keys(CREDITS))('%s', (file) => {
    it('has every credit with its amount, date, payer and references', async () => {
      const lines = await readLines(file);
      const credits = lines.filter((l) => l.direction === 'credit').map(creditRow);
      const expected = CREDITS[file] ?? [];
      expect(credits).toHaveLength(expected.length);
      expected.forEach((row, i) => {
        const actual = credits[i] as CreditRow;
        const { remittance: _ignored, ...withoutText } = actual;
        expect({ file, ...('remittance' in row ? actual : withoutText) }).toEqual({ file, ...row });
      });
      expect(lines.filter((l) => l.direction === 'debit')).toHaveLength(DEBITS[file] ?? -1);
      expect(lines.every((l) => l.format === 'mt940')).toBe(true);
    });
  });

  it('reads the German purpose (SVWZ+, MTLG:) as remittance, "?96" inside it as text', async () => {
    const db = await readLines('mt940/mt940-de-deutschebank-sepa.sta');
    expect(db.map((l) => l.remittance)).toEqual([
      'DE38XXZ76536723768 335?960.484.7561 7SF91D5 DFA48',
      '7458.6345.6353 SEPA-DIRECT-DEBIT-DT.-BANK-1 HALLOWELT.IHRE REFERENZ: 766413',
    ]);
    expect(db[1]?.references.entryRef).toBe('15976');
    const vb = await readLines('mt940/mt940-de-volksbanken-raiffeisenbanken-sepa.sta');
    expect(vb[1]?.remittance).toBe(
      'Beitrag Musical fuer FRIDA inklusive 1 CD IBAN: DE10500105174381957749 BIC: KRHADE21',
    );
    expect(vb[3]?.remittance).toBe(
      'Musical Sonja Schulz CD EREF: ZV0100284190949300000002 IBAN: DE88500105178285756556 BIC: SAKSDE55',
    );
    const dresdner = await readLines('mt940/mt940-de-dresdner-sepa-multiaccount.sta');
    expect(dresdner[0]?.remittance).toBe('Grund nicht spezifiziert Reject aus SEPA-Ueberweisungsauftrag');
  });

  it('reads the account, currency and statement of each line', async () => {
    const [ing] = await readLines('mt940/mt940-nl-ing-structured.sta');
    expect(ing).toMatchObject({
      account: { iban: 'NL68INGB0000012345', currency: 'EUR' },
      statementId: 'P123456000000001/00000/2014-07-31',
      position: { line: 8 },
    });
    const [db] = await readLines('mt940/mt940-de-deutschebank-sepa.sta');
    expect(db?.account).toEqual({ number: '233025/40069462', currency: 'EUR' });
    const pf = await readLines('mt940/mt940-ch-postfinance.sta');
    expect(pf.map((l) => l.statementId)).toEqual([
      '2014040708285927/999/1/2013-11-30',
      '2014040708285927/999/1/2013-11-30',
      '2014040708285928/999/2/2014-04-07',
      '2014040708285928/999/2/2014-04-07',
    ]);
  });
});
