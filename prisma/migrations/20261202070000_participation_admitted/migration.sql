-- AlterTable
ALTER TABLE "SessionParticipation" ADD COLUMN "admittedAt" DATETIME;
