-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_MediationRecordConfirmation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "recordId" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "revisionHash" TEXT NOT NULL,
    "signatory" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "partyId" TEXT,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "signerName" TEXT NOT NULL,
    "side" TEXT,
    "objection" TEXT,
    "imagePng" BLOB,
    "imageSha256" TEXT,
    "consentTextSha256" TEXT,
    "identityMethod" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "userAgent" TEXT NOT NULL,
    "at" DATETIME NOT NULL
);
-- Until now only parties answered: each row's signatory is its party.
INSERT INTO "new_MediationRecordConfirmation" ("action", "actor", "at", "consentTextSha256", "id", "identityMethod", "imagePng", "imageSha256", "ip", "objection", "partyId", "recordId", "revision", "revisionHash", "side", "signerName", "userAgent", "signatory", "role") SELECT "action", "actor", "at", "consentTextSha256", "id", "identityMethod", "imagePng", "imageSha256", "ip", "objection", "partyId", "recordId", "revision", "revisionHash", "side", "signerName", "userAgent", 'party:' || "partyId", 'party' FROM "MediationRecordConfirmation";
DROP TABLE "MediationRecordConfirmation";
ALTER TABLE "new_MediationRecordConfirmation" RENAME TO "MediationRecordConfirmation";
CREATE INDEX "MediationRecordConfirmation_imageSha256_idx" ON "MediationRecordConfirmation"("imageSha256");
CREATE UNIQUE INDEX "MediationRecordConfirmation_recordId_revisionHash_signatory_key" ON "MediationRecordConfirmation"("recordId", "revisionHash", "signatory");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
