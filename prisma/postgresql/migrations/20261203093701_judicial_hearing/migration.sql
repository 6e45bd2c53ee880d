-- AlterTable
ALTER TABLE "MediationSession" ADD COLUMN     "judicialApplicationId" TEXT,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'mediation';

-- CreateIndex
CREATE INDEX "MediationSession_judicialApplicationId_idx" ON "MediationSession"("judicialApplicationId");

-- AddForeignKey
ALTER TABLE "MediationSession" ADD CONSTRAINT "MediationSession_judicialApplicationId_fkey" FOREIGN KEY ("judicialApplicationId") REFERENCES "JudicialApplication"("id") ON DELETE CASCADE ON UPDATE CASCADE;
