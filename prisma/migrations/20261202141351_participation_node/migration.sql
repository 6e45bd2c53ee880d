-- AlterTable
ALTER TABLE "SessionParticipation" ADD COLUMN "nodeId" TEXT;
