import { redirectToSignIn, signInUrl } from './session';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> {
  const held = new Map<string, string>();
  return { getItem: (k) => held.get(k) ?? null, setItem: (k, v) => void held.set(k, v) };
}

describe('the trip to sign in', () => {
  it('goes to the gateway page with the way back, as a path of this site', () => {
    expect(signInUrl('/?lng=110&lat=31')).toBe('/auth/login?next=%2F%3Flng%3D110%26lat%3D31');
  });

  it('goes once: back without a session within a minute, it stays and says so', () => {
    const storage = memoryStorage();
    const visits: string[] = [];
    const go = (url: string): void => void visits.push(url);
    expect(redirectToSignIn(storage, go, '/', 1_000_000)).toBe(true);
    expect(redirectToSignIn(storage, go, '/', 1_030_000)).toBe(false);
    expect(visits).toEqual(['/auth/login?next=%2F']);
    // A session that expires later (an hour on) is sent to sign in again.
    expect(redirectToSignIn(storage, go, '/', 4_600_000)).toBe(true);
    expect(visits).toHaveLength(2);
  });
});
