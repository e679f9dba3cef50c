import { MAX_INSTANCES, ScaleUsageError, instanceName, parseScaleArgs } from '../scale';

const SERVICES = ['customers', 'geocoding', 'invoicing', 'notifications', 'payments', 'gateway'];

describe('npm run scale arguments', () => {
  it('reads <service>=<instances> for each service named', () => {
    expect(parseScaleArgs(['payments=2', 'invoicing=3', 'gateway=1'], SERVICES)).toEqual(
      new Map([
        ['payments', 2],
        ['invoicing', 3],
        ['gateway', 1],
      ]),
    );
    expect(instanceName('payments', 2)).toBe('service-payments-2');
  });

  it.each([
    [[], /nothing to scale/],
    [['payments'], /not <service>=<instances>/],
    [['payments=two'], /not <service>=<instances>/],
    [['billing=2'], /unknown service "billing"/],
    [['payments=0'], new RegExp(`between 1 and ${MAX_INSTANCES}`)],
    [[`payments=${MAX_INSTANCES + 1}`], new RegExp(`between 1 and ${MAX_INSTANCES}`)],
    [['payments=2', 'payments=3'], /named twice/],
  ])('refuses %j', (args, message) => {
    expect(() => parseScaleArgs(args, SERVICES)).toThrow(ScaleUsageError);
    expect(() => parseScaleArgs(args, SERVICES)).toThrow(message);
  });
});
