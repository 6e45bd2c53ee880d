-- AlterTable
ALTER TABLE "Agreement" ADD COLUMN     "sealingAt" TIMESTAMP(3),
ADD COLUMN     "sealingBy" TEXT,
ADD COLUMN     "sealingDocId" TEXT,
ADD COLUMN     "sealingRun" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Agreement_sealingDocId_key" ON "Agreement"("sealingDocId");
