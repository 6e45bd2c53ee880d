-- AlterTable
ALTER TABLE "Recording" ADD COLUMN     "composeLeaseUntil" TIMESTAMP(3),
ADD COLUMN     "composeRun" TEXT;
