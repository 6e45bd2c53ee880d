-- AlterTable
ALTER TABLE "Agreement" ADD COLUMN "sealingAt" DATETIME;
ALTER TABLE "Agreement" ADD COLUMN "sealingBy" TEXT;
ALTER TABLE "Agreement" ADD COLUMN "sealingDocId" TEXT;
ALTER TABLE "Agreement" ADD COLUMN "sealingRun" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Agreement_sealingDocId_key" ON "Agreement"("sealingDocId");
