-- DropIndex
DROP INDEX "Case_status_idx";

-- AlterTable
ALTER TABLE "Case" DROP COLUMN "status";
