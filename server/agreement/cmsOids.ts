/** Object identifiers of the CMS seal (RFC 5652, RFC 5035, RFC 3279/4055/5758, RFC 5280). */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  ekuEmailProtection: '1.3.6.1.5.5.7.3.4',
  ekuDocumentSigning: '1.3.6.1.5.5.7.3.36',
  /** Adobe Authentic Documents Trust: document-signing certificates of commercial CAs. */
  ekuAdobeAuthenticDocuments: '1.2.840.113583.1.1.5',
} as const;

export type DigestName = 'sha256' | 'sha384' | 'sha512';
export const DIGEST_BY_OID: Record<string, DigestName> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** Signature algorithms we accept, with the digest each one implies (undefined: any, e.g. rsaEncryption). */
export const SIGNATURE_ALGORITHMS: Record<string, { key: 'rsa' | 'ec'; digest: DigestName | undefined }> = {
  [OID.rsaEncryption]: { key: 'rsa', digest: undefined },
  [OID.sha256WithRSA]: { key: 'rsa', digest: 'sha256' },
  [OID.sha384WithRSA]: { key: 'rsa', digest: 'sha384' },
  [OID.sha512WithRSA]: { key: 'rsa', digest: 'sha512' },
  [OID.ecdsaWithSha256]: { key: 'ec', digest: 'sha256' },
  [OID.ecdsaWithSha384]: { key: 'ec', digest: 'sha384' },
  [OID.ecdsaWithSha512]: { key: 'ec', digest: 'sha512' },
};
