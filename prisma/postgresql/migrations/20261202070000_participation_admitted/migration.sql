-- AlterTable
ALTER TABLE "SessionParticipation" ADD COLUMN     "admittedAt" TIMESTAMP(3);

