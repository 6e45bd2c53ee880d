-- DropIndex
DROP INDEX "MediationRecordConfirmation_recordId_revisionHash_partyId_key";

-- AlterTable (until now only parties answered: each row's signatory is its party)
ALTER TABLE "MediationRecordConfirmation" ADD COLUMN     "role" TEXT,
ADD COLUMN     "signatory" TEXT,
ALTER COLUMN "partyId" DROP NOT NULL;
UPDATE "MediationRecordConfirmation" SET "signatory" = 'party:' || "partyId", "role" = 'party';
ALTER TABLE "MediationRecordConfirmation" ALTER COLUMN "role" SET NOT NULL,
ALTER COLUMN "signatory" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "MediationRecordConfirmation_recordId_revisionHash_signatory_key" ON "MediationRecordConfirmation"("recordId", "revisionHash", "signatory");
