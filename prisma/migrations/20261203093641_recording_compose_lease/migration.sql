-- AlterTable
ALTER TABLE "Recording" ADD COLUMN "composeLeaseUntil" DATETIME;
ALTER TABLE "Recording" ADD COLUMN "composeRun" TEXT;
