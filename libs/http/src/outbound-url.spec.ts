import { checkOutboundUrl, isInternalAddress, OutboundUrlError, parseHostList } from './outbound-url';

describe('isInternalAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '0.0.0.0',
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.10',
    '100.64.0.1',
    '100.127.255.255',
    '169.254.169.254',
    '169.254.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'febf::1',
    '[::1]',
    'fe80::1%eth0',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    'not-an-address',
  ])('refuses %s', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.255.0.1',
    '192.169.0.1',
    '11.0.0.1',
    '2001:4860:4860::8888',
    '2606:4700::1111',
    'fec0::1',
    '::ffff:8.8.8.8',
  ])('lets %s through', (address) => {
    expect(isInternalAddress(address)).toBe(false);
  });
});

describe('checkOutboundUrl', () => {
  const resolvesTo =
    (...addresses: string[]) =>
    (): Promise<readonly string[]> =>
      Promise.resolve(addresses);

  it('refuses internal address literals, naming the way to allow them', async () => {
    for (const url of [
      'http://127.0.0.1:9000/hook',
      'http://[::1]/x',
      'https://169.254.169.254/latest/meta-data',
      'http://10.1.2.3/',
    ]) {
      await expect(checkOutboundUrl(url)).rejects.toThrow(/internal address.*OUTBOUND_ALLOW_HOSTS/);
    }
  });

  it('refuses a name that resolves to an internal address, even next to a public one', async () => {
    await expect(
      checkOutboundUrl('https://hooks.example.com/x', { lookup: resolvesTo('10.0.0.7') }),
    ).rejects.toThrow(/hooks\.example\.com is 10\.0\.0\.7/);
    await expect(
      checkOutboundUrl('https://hooks.example.com/x', { lookup: resolvesTo('93.184.216.34', 'fd00::1') }),
    ).rejects.toBeInstanceOf(OutboundUrlError);
  });

  it('lets a public name through and returns what it resolved to', async () => {
    await expect(
      checkOutboundUrl('https://hooks.example.com/x', { lookup: resolvesTo('93.184.216.34') }),
    ).resolves.toEqual(['93.184.216.34']);
  });

  it('refuses other schemes, unresolvable names, and never shows the URL credentials', async () => {
    await expect(checkOutboundUrl('file:///etc/passwd')).rejects.toThrow(/file: is not http/);
    await expect(checkOutboundUrl('ftp://example.com')).rejects.toThrow(/ftp: is not http/);
    const nowhere = (): Promise<readonly string[]> => Promise.reject(new Error('ENOTFOUND'));
    const refused = checkOutboundUrl('https://user:pw@nowhere.invalid/x?token=t', { lookup: nowhere });
    await expect(refused).rejects.toThrow(/does not resolve/);
    await expect(refused).rejects.not.toThrow(/pw|token=t/);
  });

  it('allows internal addresses only when configured', async () => {
    await expect(checkOutboundUrl('http://127.0.0.1:9000/hook', { allowPrivate: true })).resolves.toEqual([]);
    const allowHosts = parseHostList(' Receiver.internal , 127.0.0.1,[::1]');
    expect(allowHosts).toEqual(['receiver.internal', '127.0.0.1', '::1']);
    await expect(checkOutboundUrl('http://127.0.0.1:9000/hook', { allowHosts })).resolves.toEqual([]);
    await expect(checkOutboundUrl('http://[::1]:9000/hook', { allowHosts })).resolves.toEqual([]);
    await expect(
      checkOutboundUrl('http://receiver.internal/hook', { allowHosts, lookup: resolvesTo('10.0.0.2') }),
    ).resolves.toEqual([]);
    await expect(checkOutboundUrl('http://127.0.0.2/hook', { allowHosts })).rejects.toBeInstanceOf(
      OutboundUrlError,
    );
  });
});
